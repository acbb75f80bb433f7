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
        JasperFxEnvironment.AutoStartHost = true;
        Ssep = await StartAsync("SSEP", "SSDC");
        Ssdc = await StartAsync("SSDC", "SSEP");
    }

    public Task<IAlbaHost> StartAsync(string agency, string partner) => AlbaHost.For<Program>(builder =>
    {
        builder.UseSetting("SeizureIntel:ConnectionString", TestDatabase.ConnectionString);
        builder.UseSetting("SeizureIntel:Agency", agency);
        builder.UseSetting("SeizureIntel:Schema", SchemaOf(agency));
        builder.UseSetting("SeizureIntel:Sharing:Transport", Transport);
        builder.UseSetting("SeizureIntel:Sharing:QueueSchema", $"{Base}_queues");
        builder.UseSetting("SeizureIntel:Sharing:QueuePrefix", Base);
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:Agency", partner);
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:PolicyId", "MOU-SSEP-SSDC");
        builder.UseSetting("SeizureIntel:Sharing:Partners:0:Records", "all");
        builder.ConfigureServices(services => services.RunWolverineInSoloMode());
    });

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
        foreach (var host in new[] { Ssep, Ssdc })
        {
            await host.ResetAllMartenDataAsync();
            await host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Storage.Admin.ClearAllAsync();
        }
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        foreach (var agency in new[] { "SSEP", "SSDC" })
        {
            // Our own tables beside Marten's, which its reset leaves: reference counters and the ledger's seizure locations.
            await using var command = new NpgsqlCommand(
                $"truncate {SchemaOf(agency)}.{ReferenceAllocator.TableName}; truncate {SchemaOf(agency)}.{SeizureLocations.TableName}", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task QuiesceAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
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

/// <summary>Small helpers over the two nodes' HTTP APIs.</summary>
public static class NodeApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<SeizureCreatedBody> RecordAsync(this IAlbaHost host, object body)
    {
        var result = await host.Scenario(s => { s.Post.Json(body).ToUrl("/api/seizures"); s.StatusCodeShouldBe(201); });
        return result.ReadAsJson<SeizureCreatedBody>()!;
    }

    public static async Task<JsonElement> GetJsonAsync(this IAlbaHost host, string url, int status = 200)
    {
        var result = await host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(status); });
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    public static async Task<JsonElement> ChangeAsync(this IAlbaHost host, Guid id, string action, object body, long version, int status = 200)
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/seizures/{id}/{action}");
            s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.StatusCodeShouldBe(status);
        });
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    /// <summary>Polls until the condition holds (messages cross nodes asynchronously); fails with the last answer.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"within {seconds} s: {what}");
    }

    public static async Task<decimal> YearGramsAsync(this IAlbaHost host, int year, string? agency = null)
    {
        try
        {
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            return -1m; // no event at all yet on this node: nothing counted; callers poll again
        }
        return (await host.GetJsonAsync($"/api/years/{year}/summary{(agency is null ? "" : "?agency=" + agency)}")).GetProperty("grams").GetDecimal();
    }

    public static async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
