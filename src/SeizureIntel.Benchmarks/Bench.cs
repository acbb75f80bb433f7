using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using SeizureIntel.Node;

namespace SeizureIntel.Benchmarks;

/// <summary>What every benchmark command shares: its percentile and its check of the scratch schema's name.</summary>
public static partial class Bench
{
    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>
    /// Builds and starts one node exactly as Program.cs does (<see cref="NodeApp.Build"/>), with the settings an operator
    /// would give it on the command line, on a loopback port the OS picks. A node's store is built with its endpoints, so
    /// a benchmark that needs another schema than the configured one starts a node of its own rather than changing one.
    /// </summary>
    public static async Task<(WebApplication App, HttpClient Http)> StartNodeAsync(IEnumerable<string> settings)
    {
        // The benchmark is one client sending as fast as it can: the per-client rate limit (429) is off for its nodes.
        var app = NodeApp.Build(["--urls=http://127.0.0.1:0", "--SeizureIntel:Port=0", "--Logging:LogLevel:Default=Warning", "--SeizureIntel:RateLimit:Burst=0", .. settings]);
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        if (!IPAddress.IsLoopback(IPAddress.Parse(new Uri(address).Host)))
        {
            await app.StopAsync();
            await app.DisposeAsync();
            throw new InvalidOperationException($"the node listens on {address}, not on loopback");
        }
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>The settings of a scratch node like the configured one (same agency and database), in another schema.</summary>
    public static string[] ScratchNode(NodeOptions configured, string schema) =>
    [
        $"--SeizureIntel:Agency={configured.Agency}", $"--SeizureIntel:ConnectionString={configured.ConnectionString}",
        $"--SeizureIntel:Schema={schema}", "--SeizureIntel:LoadDemoData=false", "--SeizureIntel:RunDaemon=true",
    ];

    /// <summary>A plain, unquoted PostgreSQL identifier: safe to put into SQL text as a schema name.</summary>
    public static bool IsPlainIdentifier(string name) => Identifier().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
