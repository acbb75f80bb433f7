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
        var app = NodeApp.Build(["--urls=http://127.0.0.1:0", "--SeizureIntel:Port=0", "--Logging:LogLevel:Default=Warning", .. settings]);
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
        return (app, await SignedInClientAsync(app, address));
    }

    /// <summary>
    /// An HTTP client of the node carrying a real access token: a benchmark API client holding every role (secret fresh
    /// each run), by client credentials from the node's own token endpoint, as any script signs in.
    /// </summary>
    public static async Task<HttpClient> SignedInClientAsync(WebApplication app, string address)
    {
        const string clientId = "benchmark-client";
        var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SeizureIntel.Identity.Accounts>().EnsureClientAsync(clientId, secret,
                SeizureIntel.Identity.Roles.All, [SeizureIntel.Identity.NodeClaims.AllFacilities]);
        var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"the node's token endpoint answered {(int)response.StatusCode}: {body}");
        var token = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return http;
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
