using Npgsql;

namespace SeizureIntel.Tests.Support;

/// <summary>The database's logins as ops/postgres makes them (owner and runtime), and what each may do.</summary>
public static class DatabaseLogins
{
    /// <summary>The test database's runtime login (ops/postgres: the owner login's name with <c>_runtime</c>).</summary>
    public static string RuntimeOf(string ownerConnection)
    {
        var b = new NpgsqlConnectionStringBuilder(ownerConnection);
        b.Username += "_runtime";
        b.Password = TestDatabase.PasswordOf(b.Username!["seizureintel_".Length..]);
        return b.ConnectionString;
    }

    public static async Task ExecuteAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task ShouldBeRefusedAsync(string connection, string sql)
    {
        var refused = await Should.ThrowAsync<PostgresException>(() => ExecuteAsync(connection, sql), sql);
        refused.SqlState.ShouldBe(PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.MessageText}");
    }

    public static async Task<long> CountAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
