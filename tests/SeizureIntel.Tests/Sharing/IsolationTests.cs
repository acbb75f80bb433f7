using Npgsql;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// Each node has its own login, and one node's login can neither read nor write the other's store: on the demo
/// machine's shared database (schema per node, as ops/postgres sets it up) and across the per-agency databases.
/// </summary>
public sealed class IsolationTests
{
    private static string Port => Environment.GetEnvironmentVariable("SEIZUREINTEL_PG_PORT") ?? "55432";

    private static NpgsqlConnection Login(string agency, string database)
    {
        var a = agency.ToLowerInvariant();
        return new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Database={database};Username=seizureintel_{a};Password={Support.TestDatabase.PasswordOf(agency)};Pooling=false");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task one_nodes_login_cannot_read_or_write_the_other_nodes_schema()
    {
        await using (var ssep = Login("SSEP", "seizureintel"))
        {
            await ssep.OpenAsync();
            await ExecuteAsync(ssep, "create schema if not exists isolation_ssep; create table if not exists isolation_ssep.probe (id int primary key, secret text)");
            await ExecuteAsync(ssep, "insert into isolation_ssep.probe values (1, 'SSEP only') on conflict do nothing");
        }

        await using var ssdc = Login("SSDC", "seizureintel");
        await ssdc.OpenAsync();
        foreach (var sql in new[]
                 {
                     "select secret from isolation_ssep.probe",
                     "insert into isolation_ssep.probe values (2, 'from SSDC')",
                     "update isolation_ssep.probe set secret = 'changed'",
                     "drop table isolation_ssep.probe",
                 })
        {
            var denied = await Should.ThrowAsync<PostgresException>(() => ExecuteAsync(ssdc, sql));
            denied.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, sql);
        }
    }

    [Fact]
    public async Task a_nodes_login_cannot_even_connect_to_another_agencys_database()
    {
        await using var ssdc = Login("SSDC", "seizureintel_ssep");
        var denied = await Should.ThrowAsync<PostgresException>(() => ssdc.OpenAsync());
        denied.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege);
    }

    /// <summary>The owner logins (deployment credentials) administer the queue schema; the runtime logins get only their channels (ChannelGrantTests).</summary>
    [Fact]
    public async Task both_owner_logins_may_administer_the_shared_queue_schema()
    {
        await using (var ssep = Login("SSEP", "seizureintel"))
        {
            await ssep.OpenAsync();
            await ExecuteAsync(ssep, "create table if not exists wolverine_queues.isolation_probe (id int primary key)");
            await ExecuteAsync(ssep, "insert into wolverine_queues.isolation_probe values (1) on conflict do nothing");
        }
        await using var ssdc = Login("SSDC", "seizureintel");
        await ssdc.OpenAsync();
        await ExecuteAsync(ssdc, "delete from wolverine_queues.isolation_probe where id = 1");
        await ExecuteAsync(ssdc, "insert into wolverine_queues.isolation_probe values (1) on conflict do nothing");
    }
}
