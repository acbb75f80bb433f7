using System.Text.Json;
using Npgsql;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Telemetry;

/// <summary>
/// Two real agency nodes, SSEP and SSDC, each its own OS process, sharing over PostgreSQL queues. SSDC takes no seizure
/// before 2016 (SeizureIntel:EarliestYear), so SSEP's 2015 records are refused there as outside its bounds: a real refused
/// partner message. Schemas of their own, dropped first.
/// </summary>
public sealed class TelemetryNodes : IAsyncLifetime
{
    public static string Base => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_tel";
    public NodeProcess Ssep { get; private set; } = null!;
    public NodeProcess Ssdc { get; private set; } = null!;
    public JsonElement SsepCredentials { get; private set; }
    public JsonElement SsdcCredentials { get; private set; }

    public static string SchemaOf(string agency) => $"{Base}_{agency.ToLowerInvariant()}";

    public static Dictionary<string, string> Settings(string agency, string partner, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>
        {
            ["SeizureIntel__Agency"] = agency, ["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString,
            ["SeizureIntel__Schema"] = SchemaOf(agency), ["SeizureIntel__Sharing__Transport"] = "postgresql",
            ["SeizureIntel__Sharing__QueueSchema"] = $"{Base}_queues", ["SeizureIntel__Sharing__QueuePrefix"] = Base,
            ["SeizureIntel__Sharing__Partners__0__Agency"] = partner, ["SeizureIntel__Sharing__Partners__0__PolicyId"] = "MOU-SSEP-SSDC",
            ["SeizureIntel__Sharing__Partners__0__Records"] = "all", ["SeizureIntel__Telemetry__RefreshSeconds"] = "0.5",
            ["SeizureIntel__RateLimit__Burst"] = "0", ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in more) settings[key] = value;
        return settings;
    }

    public async Task InitializeAsync()
    {
        await using (var db = new NpgsqlConnection(TestDatabase.ConnectionString))
        {
            await db.OpenAsync();
            await using var drop = new NpgsqlCommand(
                $"drop schema if exists {SchemaOf("SSEP")} cascade; drop schema if exists {SchemaOf("SSDC")} cascade; " +
                $"drop schema if exists {SchemaOf("SSEP")}_identity cascade; drop schema if exists {SchemaOf("SSDC")}_identity cascade; " +
                $"drop schema if exists {Base}_queues cascade", db);
            await drop.ExecuteNonQueryAsync();
        }
        Ssep = new NodeProcess("SSEP", Settings("SSEP", "SSDC"));
        Ssdc = new NodeProcess("SSDC", Settings("SSDC", "SSEP", ("SeizureIntel__EarliestYear", "2016")));
        SsepCredentials = await Ssep.SeedCredentialsAsync();
        SsdcCredentials = await Ssdc.SeedCredentialsAsync();
        await Task.WhenAll(Ssep.StartHealthyAsync(), Ssdc.StartHealthyAsync());
    }

    /// <summary>kill -9 SSDC, then start a new SSDC process on the same store and port.</summary>
    public void KillSsdc() => Ssdc.Kill();

    public async Task RestartSsdcAsync()
    {
        await Ssdc.DisposeAsync();
        Ssdc = new NodeProcess("SSDC", Ssdc.Settings.ToDictionary(), Ssdc.Port);
        await Ssdc.StartHealthyAsync();
    }

    public async Task DisposeAsync()
    {
        await Ssep.DisposeAsync();
        await Ssdc.DisposeAsync();
    }
}
