using System.Diagnostics;
using System.Globalization;
using JasperFx.CommandLine;
using SeizureIntel.Node;

namespace SeizureIntel.Benchmarks;

public sealed class BenchStartupInput : NetCoreInput
{
    [Description("How many starts to time per variant (after one untimed start that brings the schema up to date)")]
    [FlagAlias("runs", 'r')]
    public int RunsFlag { get; set; } = 5;

    [Description("The node binary to start (default: the SeizureIntel.dll built beside this benchmark's project)")]
    public string BinaryFlag { get; set; } = "";

    [Description("PostgreSQL schema the started nodes use (created on the first start; never the configured node's)")]
    public string SchemaFlag { get; set; } = "bench_startup";
}

/// <summary>
/// From process start to <c>/health</c> answering "Healthy": starts the built node binary as its own process (as an
/// operator does), polls /health every 20 ms, kills it, N times per variant on the same warm database. The baseline is
/// the node as configured today (schema checks at start); the variant skips them (SeizureIntel:SchemaChecksAtStart=false,
/// the schema applied by db-apply at deployment). Variants alternate, so load on the machine hits both alike.
/// </summary>
[Description("Process start to /health healthy, N times, with and without start-up schema checks", Name = "bench-startup")]
public sealed class BenchStartupCommand : JasperFxAsyncCommand<BenchStartupInput>
{
    public override async Task<bool> Execute(BenchStartupInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (input.RunsFlag < 1) return Fail("--runs must be at least 1");
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");
        var configured = input.BuildHost().Services.GetRequiredService<NodeOptions>();
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase)) return Fail($"--schema '{schema}' is this node's own schema");
        var binary = input.BinaryFlag.Length > 0 ? Path.GetFullPath(input.BinaryFlag) : DefaultBinary();
        if (!File.Exists(binary)) return Fail($"no node binary at {binary} (build src/SeizureIntel first, or pass --binary)");
        Console.WriteLine($"bench-startup: {binary}, schema {schema}, {input.RunsFlag} run(s) per variant, {Environment.ProcessorCount} CPU(s)");

        var variants = new (string Name, string[] Settings)[]
        {
            ("baseline: schema checks at start (today's default)", []),
            ("variant: SchemaChecksAtStart=false (db-apply at deployment)", ["SeizureIntel__SchemaChecksAtStart=false"]),
        };
        // One untimed start brings the schema up to date (and warms the OS file cache): "a warm database".
        var warm = await StartAsync(binary, configured, schema, []);
        Console.WriteLine($"warm-up start (schema applied): {warm:F2} s");
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (var run = 0; run < input.RunsFlag; run++)
            for (var v = 0; v < variants.Length; v++)
                times[v].Add(await StartAsync(binary, configured, schema, variants[v].Settings));

        for (var v = 0; v < variants.Length; v++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{variants[v].Name}: p50 {Bench.Percentile(times[v], 0.5):F2} s, max {times[v].Max():F2} s  [{string.Join(", ", times[v].Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}]"));
        Console.WriteLine("goal: healthy in <= 2 s on a warm database");
        return true;
    }

    /// <summary>Seconds from Process.Start to the first "Healthy" answer of /health.</summary>
    private static async Task<double> StartAsync(string binary, NodeOptions configured, string schema, string[] settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [binary])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(binary)!,
        };
        info.Environment["SeizureIntel__Agency"] = configured.Agency;
        info.Environment["SeizureIntel__ConnectionString"] = configured.ConnectionString;
        info.Environment["SeizureIntel__Schema"] = schema;
        info.Environment["SeizureIntel__Port"] = port.ToString(CultureInfo.InvariantCulture);
        info.Environment["SeizureIntel__LoadDemoData"] = "false";
        info.Environment["SeizureIntel__Sharing__Transport"] = "none";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var setting in settings) info.Environment[setting[..setting.IndexOf('=')]] = setting[(setting.IndexOf('=') + 1)..];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (process.HasExited) throw new InvalidOperationException($"the node exited with {process.ExitCode} before it was healthy");
                try
                {
                    using var response = await http.GetAsync($"http://127.0.0.1:{port}/health");
                    if (response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).StartsWith("Healthy", StringComparison.Ordinal))
                        return clock.Elapsed.TotalSeconds;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                await Task.Delay(20);
            }
            throw new TimeoutException("the node was not healthy within 3 minutes");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static string DefaultBinary()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        return dir is null ? "" : Path.Combine(dir.FullName, "src", "SeizureIntel", "bin", configuration, "net10.0", "SeizureIntel.dll");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-startup: {message}");
        return false;
    }
}
