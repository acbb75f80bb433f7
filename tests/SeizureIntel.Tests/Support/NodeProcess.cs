using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// A real node: the built binary (src/SeizureIntel/bin/…/SeizureIntel.dll) in its own OS process, Kestrel on 127.0.0.1 at a
/// free port, on the test database. For what one process per node decides: metrics (.NET's meters are process-wide),
/// replicas and kill -9, start-up time. Its demo users and clients come from <c>identity seed-demo</c>, as ops/run makes them.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public static string Binary { get; } = FindBinary();

    public string Name { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public IReadOnlyDictionary<string, string> Settings { get; }
    public Process? Process { get; private set; }
    private readonly List<string> _log = [];

    public NodeProcess(string name, IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        Name = name;
        Port = port ?? FreePort();
        Settings = new Dictionary<string, string>(settings) { ["SeizureIntel__Port"] = Port.ToString() };
    }

    /// <summary>Starts the process (does not wait for it).</summary>
    public void Start()
    {
        var start = Info();
        Process = Process.Start(start)!;
        var process = Process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Starts the process and waits until /health answers.</summary>
    public async Task StartHealthyAsync(int seconds = 90)
    {
        Start();
        await WaitUntilAsync(HealthyAsync, seconds, "/health to answer");
    }

    public async Task<bool> HealthyAsync()
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            return (await http.GetAsync(Url + "/health")).StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return false; }
    }

    /// <summary>kill -9: no shutdown, no lease released, nothing flushed.</summary>
    public void Kill()
    {
        if (Process is { HasExited: false } p) p.Kill(entireProcessTree: true);
        Process?.WaitForExit(10_000);
    }

    /// <summary>Runs a command of the binary (e.g. identity seed-demo) with this node's settings; returns its output.</summary>
    public async Task<string> CommandAsync(params string[] args)
    {
        var info = Info(args);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await error;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Name}: {string.Join(' ', args)} failed ({process.ExitCode}):\n{text}");
        return text;
    }

    /// <summary>Demo users and clients of every role (identity seed-demo), fresh secrets.</summary>
    public async Task<JsonElement> SeedCredentialsAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"seizureintel-{Name}-{Port}-credentials.json");
        await CommandAsync("identity", "seed-demo", "--base-url", Url, "--out", file);
        var json = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(file));
        File.Delete(file);
        return json;
    }

    /// <summary>An HTTP client carrying a token of the demo client of <paramref name="role"/>.</summary>
    public Task<HttpClient> ClientAsync(JsonElement credentials, string role, string? baseUrl = null) =>
        SignInAsync(new HttpClient { BaseAddress = new Uri(baseUrl ?? Url) }, credentials, role);

    /// <summary>Signs <paramref name="http"/> in as the demo client of <paramref name="role"/> (client credentials at its base address).</summary>
    public static async Task<HttpClient> SignInAsync(HttpClient http, JsonElement credentials, string role)
    {
        var client = credentials.GetProperty("clients").GetProperty(role);
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = client.GetProperty("clientId").GetString()!,
            ["client_secret"] = client.GetProperty("clientSecret").GetString()!,
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"token for {role}: {(int)response.StatusCode} {body}");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            JsonSerializer.Deserialize<JsonElement>(body).GetProperty("access_token").GetString());
        return http;
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            if (Process is { HasExited: true }) throw new InvalidOperationException($"{Name} exited:\n{Log()}");
            if (await condition()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name}: waited {seconds} s for {what}; log:\n{Log()}");
    }

    public string Log() { lock (_log) return string.Join('\n', _log.TakeLast(80)); }

    private ProcessStartInfo Info(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Binary, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Binary)!,
        };
        foreach (var (key, value) in Settings) info.Environment[key] = value;
        return info;
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        Process?.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindBinary()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        return Path.Combine(dir!.FullName, "src", "SeizureIntel", "bin", configuration, "net10.0", "SeizureIntel.dll");
    }
}
