using System.Text.Json;
using Alba;
using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Seizures.References;
using SeizureIntel.Tests.Support;
using Wolverine;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// Two real agency nodes, SSEP and SSDC, each with its own store (schema), sharing under an MOU over a real
/// transport: Wolverine's PostgreSQL queues (in a queue schema both use) or RabbitMQ on 127.0.0.1.
/// </summary>
public abstract class TwoNodes : IAsyncLifetime
{
    protected abstract string Transport { get; }
    public string Base => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_" + Transport[..2];
    public IAlbaHost Ssep { get; private set; } = null!;
    public IAlbaHost Ssdc { get; private set; } = null!;

    public string SchemaOf(string agency) => $"{Base}_{agency.ToLowerInvariant()}";

    public async Task InitializeAsync()
    {
        Ssep = await StartAsync("SSEP", "SSDC");
        Ssdc = await StartAsync("SSDC", "SSEP");
    }

    public Task<IAlbaHost> StartAsync(string agency, string partner) => TestNodes.BootAsync(agency, SchemaOf(agency), builder =>
    {
        builder.UseSetting("SeizureIntel:Sharing:Transport", Transport);
        builder.UseSetting("SeizureIntel:Sharing:QueueSchema", $"{Base}_queues");
        builder.UseSetting("SeizureIntel:Sharing:QueuePrefix", Base);
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:Agency", partner);
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:PolicyId", "MOU-SSEP-SSDC");
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:Records", "all");
        if (Transport == "rabbitmq") foreach (var (key, value) in RabbitMqUser(agency)) builder.UseSetting(key, value);
    });

    /// <summary>
    /// The agency's own broker user on the installation's vhost, as ops/rabbitmq makes them (never guest): port, vhost and
    /// password from ops/test's environment (.local/secrets.env).
    /// </summary>
    public static Dictionary<string, string> RabbitMqUser(string agency) => new()
    {
        ["SeizureIntel:Sharing:RabbitMqPort"] = Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_PORT") ?? "5672",
        ["SeizureIntel:Sharing:RabbitMqVirtualHost"] = Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_VHOST") ?? "seizureintel",
        ["SeizureIntel:Sharing:RabbitMqUserName"] = $"seizureintel_{agency.ToLowerInvariant()}",
        ["SeizureIntel:Sharing:RabbitMqPassword"] = Environment.GetEnvironmentVariable($"SEIZUREINTEL_RABBITMQ_PASSWORD_{agency.ToUpperInvariant()}")
            ?? throw new InvalidOperationException($"SEIZUREINTEL_RABBITMQ_PASSWORD_{agency.ToUpperInvariant()} is not set: run the tests with ops/test"),
    };

    public IAlbaHost Node(string agency) => agency == "SSEP" ? Ssep : Ssdc;

    /// <summary>Stops the SSDC node (its process gone as far as the partner can tell); messages for it wait in the transport.</summary>
    public async Task StopSsdcAsync()
    {
        await Ssdc.StopAsync();
        await Ssdc.DisposeAsync();
    }

    /// <summary>Starts a fresh SSDC node on the same store and inbox.</summary>
    public async Task StartSsdcAsync() => Ssdc = await StartAsync("SSDC", "SSEP");

    /// <summary>
    /// Clean data on both nodes. What an earlier test left in flight is let finish first (each node's sharing subscription
    /// caught up, both outboxes and inboxes empty), so none of it arrives after the reset; then the queues are purged.
    /// </summary>
    public async Task ResetAsync()
    {
        await QuiesceAsync();
        await PurgeQueuesAsync();
        foreach (var agency in new[] { "SSEP", "SSDC" }) await TestNodes.ResetAsync(Node(agency), SchemaOf(agency));
    }

    private async Task QuiesceAsync()
    {
        // Generous: a fault scenario of the same collection (a thousand redeliveries, a partner's backlog) may leave
        // minutes of work on a loaded machine, and purging it midway would strand half of it into the next test.
        var deadline = DateTime.UtcNow.AddSeconds(240);
        foreach (var host in new[] { Ssep, Ssdc })
            try { await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60)); }
            catch (TimeoutException) { } // a node with no event at all has nothing to share
        while (DateTime.UtcNow < deadline)
        {
            long inFlight = 0;
            foreach (var agency in new[] { "SSEP", "SSDC" })
                inFlight += await NodeApi.CountAsync($"select (select count(*) from {SchemaOf(agency)}.wolverine_outgoing_envelopes) + " +
                                                     $"(select count(*) from {SchemaOf(agency)}.wolverine_incoming_envelopes where status = 'Incoming')");
            if (inFlight == 0) return;
            await Task.Delay(100);
        }
    }

    /// <summary>Empties the PostgreSQL queue tables (RabbitMQ queues are purged by the tests' fresh prefixes and by reading them dry).</summary>
    private async Task PurgeQueuesAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand($"select table_name from information_schema.tables where table_schema = '{Base}_queues'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        foreach (var table in tables)
        {
            await using var truncate = new NpgsqlCommand($"truncate {Base}_queues.{table}", connection);
            await truncate.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var host in new[] { Ssdc, Ssep })
        {
            try { await host.StopAsync(); } catch (ObjectDisposedException) { }
            await host.DisposeAsync();
        }
    }
}

public sealed class TwoNodesOnPostgresql : TwoNodes
{
    protected override string Transport => "postgresql";
}

public sealed class TwoNodesOnRabbitMq : TwoNodes
{
    protected override string Transport => "rabbitmq";
}

[CollectionDefinition(Name)]
public sealed class PostgresqlSharingCollection : ICollectionFixture<TwoNodesOnPostgresql>
{
    public const string Name = "sharing-postgresql";
}

[CollectionDefinition(Name)]
public sealed class RabbitMqSharingCollection : ICollectionFixture<TwoNodesOnRabbitMq>
{
    public const string Name = "sharing-rabbitmq";
}
