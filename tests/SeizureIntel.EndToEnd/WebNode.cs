using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Playwright;
using Npgsql;

namespace SeizureIntel.EndToEnd;

/// <summary>
/// A real SSEP node — the built binary in its own process, Kestrel on 127.0.0.1 at a free port — on the test
/// PostgreSQL in a schema of its own, with the demo data loaded; and Debian's chromium, driven by Playwright.
/// WebApplicationFactory's TestServer cannot serve a real browser, hence a process.
/// </summary>
public sealed class WebNode : IAsyncLifetime
{
    public static string Connection =>
        Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_CONNECTION") is { Length: > 0 } connection
            ? connection
            : throw new InvalidOperationException("SEIZUREINTEL_TEST_CONNECTION is not set: run the tests with ops/test (it reads the generated .local/secrets.env)");

    public string Schema { get; } = (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_web";
    public string Url { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; } = new();
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Where screenshots go: beside ops/test's TRX files, so they are kept with the run's results.</summary>
    public static string Artefacts { get; } = Path.Combine(RepositoryRoot, ".local", "test-results", "screenshots");

    private Process? _node;
    private IPlaywright? _playwright;
    private readonly List<string> _log = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Artefacts);
        await using (var db = new NpgsqlConnection(Connection))
        {
            await db.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade", db);
            await drop.ExecuteNonQueryAsync();
        }

        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        Http.BaseAddress = new Uri(Url);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var binary = Path.Combine(RepositoryRoot, "src", "SeizureIntel", "bin", configuration, "net10.0", "SeizureIntel.dll");
        var start = new ProcessStartInfo("dotnet", [binary])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(binary)!,
        };
        start.Environment["SeizureIntel__Agency"] = "SSEP";
        start.Environment["SeizureIntel__ConnectionString"] = Connection;
        start.Environment["SeizureIntel__Schema"] = Schema;
        start.Environment["SeizureIntel__Port"] = port.ToString();
        start.Environment["SeizureIntel__LoadDemoData"] = "true";

        // The demo users and clients, one per role, exactly as ops/run creates them (identity seed-demo).
        var credentials = Path.Combine(Artefacts, "..", "demo-credentials-web.json");
        var seed = new ProcessStartInfo("dotnet", [binary, "identity", "seed-demo", "--base-url", Url, "--out", credentials])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = start.WorkingDirectory,
        };
        foreach (var (key, value) in start.Environment) if (key.StartsWith("SeizureIntel__")) seed.Environment[key] = value;
        using (var seeding = Process.Start(seed)!)
        {
            var output = await seeding.StandardOutput.ReadToEndAsync() + await seeding.StandardError.ReadToEndAsync();
            await seeding.WaitForExitAsync();
            if (seeding.ExitCode != 0) throw new InvalidOperationException($"identity seed-demo failed:\n{output}");
        }
        Credentials = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(credentials));

        _node = Process.Start(start)!;
        _node.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        _node.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.Add(e.Data); };
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();

        // The API calls of the tests act as the demo supervisor's client, with a token from the node's token endpoint.
        await WaitUntilAsync(async () =>
        {
            try { return (await Http.GetAsync("/health")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(90), "the node to answer /health");
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await ClientTokenAsync("supervisor"));

        // Ready when the demo data's 2015 total is in the read models (the founding document's 140.9 kg).
        await WaitUntilAsync(async () => await YearGramsAsync(2015) == 140_900m, TimeSpan.FromSeconds(90), "the node to load its demo data");

        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // As root there is no sandbox; the rest keeps chromium from calling out (this network is closed).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task<decimal?> YearGramsAsync(int year)
    {
        try
        {
            var json = await Http.GetFromJsonElementAsync($"/api/years/{year}/summary");
            return json?.GetProperty("grams").GetDecimal();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException)
        {
            return null;
        }
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_node is { HasExited: true }) throw new InvalidOperationException($"the node exited:\n{Log()}");
            if (await condition()) return;
            await Task.Delay(250);
        }
        throw new TimeoutException($"waited {timeout} for {what}; node log:\n{Log()}");
    }

    public string Log() { lock (_log) return string.Join('\n', _log.TakeLast(60)); }

    /// <summary>The demo users and clients of this node, as identity seed-demo wrote them (issue 12's shape).</summary>
    public JsonElement Credentials { get; private set; }

    /// <summary>The id of the demo API client of a role (the subject its changes are recorded under).</summary>
    public string ClientId(string role) => Credentials.GetProperty("clients").GetProperty(role).GetProperty("clientId").GetString()!;

    /// <summary>A token for the demo client of a role, by client credentials.</summary>
    public async Task<string> ClientTokenAsync(string role)
    {
        var client = Credentials.GetProperty("clients").GetProperty(role);
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.GetProperty("clientId").GetString()!,
            ["client_secret"] = client.GetProperty("clientSecret").GetString()!,
        }));
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()).GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// A browser page in a fresh context (own cookies and storage), in the language given, signed in as the demo user
    /// of <paramref name="role"/> through the node's real sign-in page (OpenID Connect, code + PKCE). The supervisor
    /// reaches every page.
    /// </summary>
    public async Task<IPage> PageAsync(string locale = "en-GB", string role = "supervisor")
    {
        var page = await NewPageAsync(locale);
        var user = Credentials.GetProperty("users").GetProperty(role);
        await page.GotoAsync("/");
        await page.Locator("#username").FillAsync(user.GetProperty("username").GetString()!);
        await page.Locator("#password").FillAsync(user.GetProperty("password").GetString()!);
        await page.Locator("button[type=submit]").ClickAsync();
        await page.WaitForURLAsync(u => !u.Contains("/account/") && !u.Contains("/connect/") && !u.Contains("signin-oidc"));
        await Assertions.Expect(page.GetByTestId("signed-in-user")).ToHaveTextAsync(user.GetProperty("username").GetString()!);
        return page;
    }

    /// <summary>A browser page in a fresh context, not signed in.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-GB")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Url,
            Locale = locale,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
            AcceptDownloads = true,
        });
        // Generous: a Debug node writes each handler's code with Roslyn on its first request, seconds on a busy machine.
        context.SetDefaultTimeout(45_000);
        return await context.NewPageAsync();
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, name + ".png"), FullPage = false });

    public async Task DisposeAsync()
    {
        lock (_log) File.WriteAllLines(Path.Combine(Artefacts, "node.log"), _log);
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (_node is { HasExited: false })
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }
        _node?.Dispose();
        Http.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("SeizureIntel.sln not found above the test binary");
    }
}

public static class HttpJson
{
    public static async Task<JsonElement?> GetFromJsonElementAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        if (!response.IsSuccessStatusCode) return null;
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebNode>
{
    public const string Name = "web";
}
