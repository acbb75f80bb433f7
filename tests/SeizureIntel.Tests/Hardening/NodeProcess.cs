using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// A real node process: the node binary (dotnet SeizureIntel.dll, as ops/run starts it) on its own port and store, with
/// its demo clients seeded by its own command line (identity seed-demo), talked to over HTTP with tokens from its own
/// token endpoint. Killed with SIGKILL (<see cref="KillHard"/>) as a crash would, or stopped at the end.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly string _credentials = Path.Combine(Path.GetTempPath(), $"seizureintel-{Guid.NewGuid():N}.json");
    private Process? _process;
    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, string> _tokens = new();

    public int Port { get; } = FreePort();
    public HttpClient Http { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public NodeProcess(string connectionString, string schema, string agency = "SSEP")
    {
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
        _environment = new()
        {
            ["SeizureIntel__ConnectionString"] = connectionString,
            ["SeizureIntel__Schema"] = schema,
            ["SeizureIntel__Agency"] = agency,
            ["SeizureIntel__Port"] = Port.ToString(),
            ["SeizureIntel__LoadDemoData"] = "false",
            ["SeizureIntel__RateLimit__Burst"] = "0",
        };
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string BinaryFolder()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SeizureIntel.sln"))) root = root.Parent;
        return Path.Combine(root!.FullName, "src", "SeizureIntel", "bin", "Debug", "net10.0");
    }

    private ProcessStartInfo StartInfo(params string[] args)
    {
        var bin = BinaryFolder();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(bin, "SeizureIntel.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in _environment) start.Environment[k] = v;
        return start;
    }

    /// <summary>Starts the node and waits until /health answers (healthy or degraded).</summary>
    public async Task StartAsync(int seconds = 180)
    {
        _tokens.Clear();
        _process = Process.Start(StartInfo())!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await NodeApi.EventuallyAsync(async () =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"the node exited with {_process.ExitCode}:\n{Log[^Math.Min(Log.Length, 4000)..]}");
            return await HealthAsync() is 200;
        }, $"the node on :{Port} answers /health", seconds);
        if (!File.Exists(_credentials)) await SeedAsync();
    }

    /// <summary>The node's own command line seeds one API client per role (identity seed-demo).</summary>
    private async Task SeedAsync()
    {
        using var seed = Process.Start(StartInfo("identity", "seed-demo", "--base-url", $"http://127.0.0.1:{Port}", "--out", _credentials))!;
        var output = seed.StandardOutput.ReadToEndAsync();
        var error = seed.StandardError.ReadToEndAsync();
        await seed.WaitForExitAsync();
        if (seed.ExitCode != 0) throw new InvalidOperationException($"identity seed-demo failed: {await output}{await error}");
    }

    public async Task<int?> HealthAsync()
    {
        try
        {
            using var answer = await Http.GetAsync("/health");
            return (int)answer.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    public async Task<string> HealthTextAsync()
    {
        try
        {
            // The body names the problem whatever the status (503 when unhealthy).
            using var answer = await Http.GetAsync("/health");
            return await answer.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return e.Message; }
    }

    /// <summary>A token for the seeded client of <paramref name="role"/>, from this node's token endpoint.</summary>
    public async Task<string> TokenAsync(string role)
    {
        if (_tokens.TryGetValue(role, out var token)) return token;
        var clients = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(_credentials)).GetProperty("clients").GetProperty(role);
        token = await TestTokens.TokenAsync(Http, clients.GetProperty("clientId").GetString()!, clients.GetProperty("clientSecret").GetString()!);
        return _tokens[role] = token;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string role, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(role));
        if (body is not null) request.Content = JsonContent.Create(body);
        return await Http.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string url, string role = Roles.Supervisor)
    {
        using var answer = await SendAsync(HttpMethod.Get, url, role);
        answer.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<JsonElement>(await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Waits until no asynchronous projection is behind the store.</summary>
    public Task CaughtUpAsync(int seconds = 120) => NodeApi.EventuallyAsync(async () =>
        !(await GetJsonAsync("/api/projections/freshness", Roles.Analyst)).GetProperty("stale").GetBoolean(), "the projections caught up", seconds);

    /// <summary>SIGKILL: no shutdown, no flush, no goodbye — what a power cut or the OOM killer does.</summary>
    public void KillHard()
    {
        _process?.Kill(entireProcessTree: true);
        _process?.WaitForExit(30_000);
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        KillHard();
        Http.Dispose();
        if (File.Exists(_credentials)) File.Delete(_credentials);
        await Task.CompletedTask;
    }
}

/// <summary>
/// Officers recording seizures at once, as long as asked: each 201 is kept (acknowledged), anything else counted as a fault
/// (refused, failed or unreachable — never acknowledged).
/// </summary>
public sealed class RecordingStream(NodeProcess node, int clients)
{
    public record Acknowledged(Guid Id, string Reference, decimal Grams);

    public System.Collections.Concurrent.ConcurrentBag<Acknowledged> Acks { get; } = new();
    public int Faults;
    private int _next;

    public static object Body(int i) => new
    {
        facilityId = i % 2 == 0 ? "SIZO-1" : "IK-47",
        occurredAt = new DateTimeOffset(2015, 1, 1, 12, 0, 0, TimeSpan.FromHours(6)).AddMinutes(i * 37).ToString("yyyy-MM-ddTHH:mm:sszzz"),
        substance = i % 3 == 0 ? "heroin" : "cannabis-herb", quantity = new { value = 1 + i % 7, unit = "g" }, detection = "cell-search",
    };

    /// <summary>Records until <paramref name="stop"/> is cancelled or <paramref name="limit"/> acknowledgements.</summary>
    public Task RunAsync(int limit, CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (!stop.IsCancellationRequested && Acks.Count < limit)
        {
            var i = Interlocked.Increment(ref _next);
            try
            {
                using var answer = await node.SendAsync(HttpMethod.Post, "/api/seizures", Roles.Officer, Body(i));
                if (answer.StatusCode == HttpStatusCode.Created)
                {
                    var body = JsonSerializer.Deserialize<JsonElement>(await answer.Content.ReadAsStringAsync());
                    Acks.Add(new Acknowledged(body.GetProperty("id").GetGuid(), body.GetProperty("reference").GetString()!, 1 + i % 7));
                }
                else Interlocked.Increment(ref Faults);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref Faults);
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }));
}
