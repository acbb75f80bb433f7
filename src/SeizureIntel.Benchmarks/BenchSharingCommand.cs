using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using SeizureIntel.Node;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures.References;
using SeizureIntel.Sharing;
using Wolverine.Runtime;
using Wolverine.Transports;

namespace SeizureIntel.Benchmarks;

public sealed class BenchSharingInput : NetCoreInput
{
    [Description("Transport to measure: postgresql, rabbitmq or both (one after the other, each with its own pair of nodes)")]
    [FlagAlias("transport", 't')]
    public string TransportFlag { get; set; } = "both";

    [Description("How many seizures to post one after another and time until the partner shows each")]
    [FlagAlias("count", 'n')] // -c is taken by --contentroot
    public int CountFlag { get; set; } = 200;

    [Description("How many seizures the 8 concurrent clients post for the throughput run")]
    [FlagAlias("burst", 'b')]
    public int BurstFlag { get; set; } = 1000;

    [Description("PostgreSQL database both nodes use (schemas bench_<transport>_ssep/_ssdc/_queues are emptied first); default: the scratch test database")]
    [FlagAlias("connection", true)]
    public string ConnectionFlag { get; set; } = BenchSharingCommand.TestDatabase;
}

/// <summary>
/// How soon does a partner see a seizure, and how many shared seizures per second does it take in? Boots two real
/// nodes, SSEP and SSDC, in this process on loopback ports, built exactly as Program.cs builds a node (NodeApp,
/// sharing over Wolverine's PostgreSQL queues or RabbitMQ), each with its own scratch schema. Then, for each transport:
/// posts seizures one at a time on SSEP and polls SSDC's GET /api/seizures/{id} until it answers 200 (baseline: the
/// POST round trip alone), and posts a burst from 8 concurrent clients, comparing the rate SSEP records at with the
/// rate the seizures arrive in SSDC's store.
/// </summary>
[Description("Partner-visible lag and sustained shared seizures per second between two nodes, per transport", Name = "bench-sharing")]
public sealed class BenchSharingCommand : JasperFxAsyncCommand<BenchSharingInput>
{
    /// <summary>The scratch test database, as ops/test gives it (SEIZUREINTEL_TEST_CONNECTION); no password in the code.</summary>
    public static string TestDatabase => Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_CONNECTION") ?? "";

    private const int Clients = 8;
    private const int WarmUpCount = 5;
    private const int WarmUpYear = 2002; // each phase records in a year of its own
    private const int LagYear = 2003;
    private const int BurstYear = 2004;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan CountInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan SeizureTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan BurstTimeout = TimeSpan.FromMinutes(3);

    public override async Task<bool> Execute(BenchSharingInput input)
    {
        // The WebApplication Program.cs built (input.BuildHost()) is one node with the default settings; it is not
        // used. Each transport gets a fresh pair of nodes built below, so its settings can differ per node.
        var transports = input.TransportFlag.Trim().ToLowerInvariant() switch
        {
            "both" => new[] { SharingOptions.Postgresql, SharingOptions.RabbitMq },
            SharingOptions.Postgresql => [SharingOptions.Postgresql],
            SharingOptions.RabbitMq => [SharingOptions.RabbitMq],
            _ => null,
        };
        if (transports is null) return Fail($"--transport '{input.TransportFlag}' is not postgresql, rabbitmq or both");
        if (input.CountFlag < 1) return Fail("--count must be at least 1");
        if (input.BurstFlag < 1) return Fail("--burst must be at least 1");

        Console.WriteLine($"bench-sharing: SSEP -> SSDC on 127.0.0.1, {Environment.ProcessorCount} cores{LoadAverage()}; {input.CountFlag} seizures one after another " +
                          $"(polling SSDC every {PollInterval.TotalMilliseconds} ms), then a burst of {input.BurstFlag} from {Clients} concurrent clients");
        var results = new List<Result>();
        var started = Stopwatch.GetTimestamp();
        foreach (var transport in transports)
        {
            try
            {
                results.Add(await RunAsync(transport, input));
            }
            catch (BenchmarkFailed e)
            {
                return Fail($"{transport}: {e.Message}");
            }
        }
        if (results.Count > 1) PrintSummary(results, input);
        Console.WriteLine();
        Console.WriteLine($"bench-sharing: done in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s, node start-up included");
        return true;
    }

    private static async Task<Result> RunAsync(string transport, BenchSharingInput input)
    {
        var names = new BenchNames(transport);
        await using var ssep = await StartNodeAsync("SSEP", "SSDC", names, input.ConnectionFlag);
        await using var ssdc = await StartNodeAsync("SSDC", "SSEP", names, input.ConnectionFlag);
        await using var database = NpgsqlDataSource.Create(input.ConnectionFlag);
        var purged = await ResetAsync(names, database, ssep, ssdc);

        Console.WriteLine();
        Console.WriteLine($"== {transport}: SSEP {ssep.Http.BaseAddress} -> SSDC {ssdc.Http.BaseAddress}; schemas {names.SchemaOf("SSEP")}, " +
                          $"{names.SchemaOf("SSDC")}; queues {string.Join(", ", purged)} (emptied first)");

        // Warm-up (not measured): JIT and generated handlers on both nodes, connection pools, listeners, the first hop.
        for (var i = 0; i < WarmUpCount; i++) await PostAndWaitAsync(ssep.Http, ssdc.Http, WarmUpYear, i);

        var posts = new List<double>(input.CountFlag);
        var visible = new List<double>(input.CountFlag);
        for (var i = 0; i < input.CountFlag; i++)
        {
            var (post, seen) = await PostAndWaitAsync(ssep.Http, ssdc.Http, LagYear, i);
            posts.Add(post);
            visible.Add(seen);
        }
        PrintLag(posts, visible);

        var burst = await BurstAsync(ssep.Http, database, names.SchemaOf("SSDC"), input.BurstFlag);
        PrintBurst(burst);
        return new Result(transport, posts, visible, burst);
    }

    /// <summary>Schema, queue schema and queue prefix of one transport's run, apart from every node's and test's own.</summary>
    private sealed record BenchNames(string Transport)
    {
        public string Prefix => $"bench_{Transport}";
        public string QueueSchema => $"{Prefix}_queues";
        public string SchemaOf(string agency) => $"{Prefix}_{agency.ToLowerInvariant()}";
    }

    /// <summary>A running node: the real host and an HTTP client for its loopback address.</summary>
    private sealed class RunningNode(WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public WebApplication App { get; } = app;
        public HttpClient Http { get; } = http;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    /// <summary>
    /// The agency's own broker user as ops/rabbitmq makes it (vhost, password from .local/secrets.env, exported by
    /// <c>source ops/lib.sh; load_secrets</c>); none when the environment names no password (the client's default).
    /// </summary>
    private static string[] BrokerUser(string agency) =>
        Environment.GetEnvironmentVariable($"SEIZUREINTEL_RABBITMQ_PASSWORD_{agency.ToUpperInvariant()}") is { Length: > 0 } password
            ?
            [
                $"--SeizureIntel:Sharing:RabbitMqPort={Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_PORT") ?? "5672"}",
                $"--SeizureIntel:Sharing:RabbitMqVirtualHost={Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_VHOST") ?? "seizureintel"}",
                $"--SeizureIntel:Sharing:RabbitMqUserName=seizureintel_{agency.ToLowerInvariant()}",
                $"--SeizureIntel:Sharing:RabbitMqPassword={password}",
            ]
            : [];

    /// <summary>
    /// Builds and starts one node exactly as Program.cs does (<see cref="NodeApp.Build"/>), with the settings a node's
    /// operator would give it on the command line: agency, scratch schema, transport, the partner and its policy, and
    /// Kestrel on a loopback port the OS picks.
    /// </summary>
    private static async Task<RunningNode> StartNodeAsync(string agency, string partner, BenchNames names, string connection)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--SeizureIntel:Agency={agency}",
            $"--SeizureIntel:ConnectionString={connection}",
            $"--SeizureIntel:Schema={names.SchemaOf(agency)}",
            "--SeizureIntel:Port=0",
            "--SeizureIntel:LoadDemoData=false",
            "--SeizureIntel:RunDaemon=true",
            $"--SeizureIntel:Sharing:Transport={names.Transport}",
            $"--SeizureIntel:Sharing:QueueSchema={names.QueueSchema}",
            $"--SeizureIntel:Sharing:QueuePrefix={names.Prefix}",
            $"--SeizureIntel:Sharing:Partners:0:Agency={partner}",
            "--SeizureIntel:Sharing:Partners:0:PolicyId=MOU-SSEP-SSDC",
            "--SeizureIntel:Sharing:Partners:0:Records=all",
            "--SeizureIntel:RateLimit:Burst=0", // one client sending as fast as it can: no per-client limit
            .. names.Transport == SharingOptions.RabbitMq ? BrokerUser(agency) : [],
        ];
        var app = NodeApp.Build(args);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            var hint = names.Transport == SharingOptions.RabbitMq ? " (is RabbitMQ running on 127.0.0.1:5672? ops/rabbitmq start)" : "";
            throw new BenchmarkFailed($"the {agency} node did not start{hint}: {e.GetType().Name}: {e.Message}");
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        if (!IPAddress.IsLoopback(IPAddress.Parse(new Uri(address).Host)))
        {
            await app.StopAsync();
            await app.DisposeAsync();
            throw new BenchmarkFailed($"the {agency} node listens on {address}, not on loopback");
        }
        return new RunningNode(app, await Bench.SignedInClientAsync(app, address));
    }

    /// <summary>
    /// Starts from nothing on both nodes: no envelopes waiting in either node's outbox or inbox, no messages left in the
    /// transport's queues from an earlier run, no events or documents, reference counters back to zero.
    /// </summary>
    private static async Task<SortedSet<string>> ResetAsync(BenchNames names, NpgsqlDataSource database, params RunningNode[] nodes)
    {
        var purged = new SortedSet<string>();
        foreach (var node in nodes)
            await node.App.Services.GetRequiredService<IWolverineRuntime>().Storage.Admin.ClearAllAsync();
        foreach (var node in nodes)
        {
            var runtime = node.App.Services.GetRequiredService<IWolverineRuntime>();
            var logger = node.App.Services.GetRequiredService<ILogger<BenchSharingCommand>>();
            foreach (var queue in runtime.Options.Transports.AllEndpoints().OfType<IBrokerQueue>()
                         .Where(q => q.Uri.ToString().Contains(names.Prefix, StringComparison.OrdinalIgnoreCase)))
            {
                await queue.PurgeAsync(logger);
                purged.Add(queue.Uri.ToString());
            }
        }
        foreach (var node in nodes)
        {
            await node.App.ResetAllMartenDataAsync();
            var schema = node.App.Services.GetRequiredService<NodeOptions>().Schema;
            await using var truncate = database.CreateCommand($"truncate {schema}.{ReferenceAllocator.TableName}");
            await truncate.ExecuteNonQueryAsync();
        }
        return purged;
    }

    /// <summary>
    /// Posts seizure number <paramref name="index"/> of <paramref name="year"/> on SSEP and polls SSDC for it. Returns
    /// milliseconds from sending the POST to SSEP's 201, and to the first 200 from SSDC's GET /api/seizures/{id}.
    /// </summary>
    private static async Task<(double Post, double Visible)> PostAndWaitAsync(HttpClient ssep, HttpClient ssdc, int year, int index)
    {
        var start = Stopwatch.GetTimestamp();
        var id = await PostAsync(ssep, year, index);
        var post = Stopwatch.GetElapsedTime(start);
        while (true)
        {
            using (var response = await ssdc.GetAsync($"/api/seizures/{id}"))
            {
                if (response.StatusCode == HttpStatusCode.OK) break;
                if (response.StatusCode != HttpStatusCode.NotFound)
                    throw new BenchmarkFailed($"SSDC's GET /api/seizures/{id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            if (Stopwatch.GetElapsedTime(start) > SeizureTimeout)
                throw new BenchmarkFailed($"seizure {id} did not reach SSDC within {SeizureTimeout.TotalSeconds} s");
            await Task.Delay(PollInterval);
        }
        return (post.TotalMilliseconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static async Task<Guid> PostAsync(HttpClient ssep, int year, int index)
    {
        // A different minute for each seizure, from 2 January on: well inside the local year at SIZO-1 (Bishkek).
        var occurredAt = new DateTimeOffset(year, 1, 2, 12, 0, 0, TimeSpan.FromHours(6)).AddMinutes(index % (300 * 24 * 60));
        var command = new RecordSeizure("SIZO-1", occurredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            "heroin", new QuantityInput(1, "g"), "cell-search", Notes: null);
        using var response = await ssep.PostAsJsonAsync("/api/seizures", command);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new BenchmarkFailed($"SSEP's POST /api/seizures answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Created>())?.Id
            ?? throw new BenchmarkFailed("SSEP's POST /api/seizures answered 201 without a body");
    }

    /// <summary>The one field of the 201 body the benchmark reads.</summary>
    private sealed record Created(Guid Id);

    private sealed record Burst(int Count, double RecordedSeconds, double ArrivedSeconds, long ArrivedWhenRecorded)
    {
        public double RecordedRate => Count / RecordedSeconds;
        public double ArrivedRate => Count / ArrivedSeconds;
    }

    /// <summary>
    /// <see cref="Clients"/> clients post <paramref name="count"/> seizures on SSEP as fast as each gets its answers;
    /// then SSDC's event store is counted (its mt_streams rows with those ids) until it holds every one.
    /// </summary>
    private static async Task<Burst> BurstAsync(HttpClient ssep, NpgsqlDataSource database, string ssdcSchema, int count)
    {
        var ids = new ConcurrentBag<Guid>();
        var next = -1;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
                ids.Add(await PostAsync(ssep, BurstYear, i));
        }));
        var recorded = Stopwatch.GetElapsedTime(start);

        await using var command = database.CreateCommand($"select count(*) from {ssdcSchema}.mt_streams where id = any(@ids)");
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var arrivedWhenRecorded = -1L;
        while (true)
        {
            var arrived = (long)(await command.ExecuteScalarAsync() ?? 0L);
            if (arrivedWhenRecorded < 0) arrivedWhenRecorded = arrived;
            if (arrived >= count) break;
            if (Stopwatch.GetElapsedTime(start) > BurstTimeout)
                throw new BenchmarkFailed($"SSDC held {arrived} of the {count} seizures after {BurstTimeout.TotalSeconds} s");
            await Task.Delay(CountInterval);
        }
        return new Burst(count, recorded.TotalSeconds, Stopwatch.GetElapsedTime(start).TotalSeconds, arrivedWhenRecorded);
    }

    private sealed record Result(string Transport, List<double> Posts, List<double> Visible, Burst Burst);

    private static void PrintLag(List<double> posts, List<double> visible)
    {
        Console.WriteLine($"{"milliseconds (n = " + posts.Count + ")",-40}{"p50",10}{"p95",10}{"max",10}");
        Row("POST -> 201 on SSEP (baseline)", posts);
        Row("POST -> 200 from SSDC (partner-visible)", visible);
        Console.WriteLine($"ratio of medians (partner-visible / POST): {Bench.Percentile(visible, 0.50) / Bench.Percentile(posts, 0.50):F1}x");

        static void Row(string name, List<double> values) => Console.WriteLine(
            $"{name,-40}{Bench.Percentile(values, 0.50),10:F1}{Bench.Percentile(values, 0.95),10:F1}{values.Max(),10:F1}");
    }

    private static void PrintBurst(Burst b)
    {
        Console.WriteLine();
        Console.WriteLine($"{"burst of " + b.Count + ", " + Clients + " clients",-40}{"seconds",10}{"per second",12}");
        Console.WriteLine($"{"recorded on SSEP (last 201)",-40}{b.RecordedSeconds,10:F2}{b.RecordedRate,12:F1}");
        Console.WriteLine($"{"arrived at SSDC (all in its store)",-40}{b.ArrivedSeconds,10:F2}{b.ArrivedRate,12:F1}");
        Console.WriteLine($"ratio (arriving / recorded): {b.ArrivedRate / b.RecordedRate:F2}; SSDC held {b.ArrivedWhenRecorded} of {b.Count} when SSEP answered the last POST");
    }

    private static void PrintSummary(List<Result> results, BenchSharingInput input)
    {
        Console.WriteLine();
        Console.WriteLine($"== summary: lag over {input.CountFlag} seizures (ms), burst of {input.BurstFlag} from {Clients} clients (seizures/s)");
        Console.WriteLine($"{"transport",-12}{"POST p50",10}{"p95",8}{"seen p50",10}{"p95",8}{"max",8}{"SSEP/s",10}{"SSDC/s",10}{"ratio",8}");
        foreach (var r in results)
            Console.WriteLine($"{r.Transport,-12}{Bench.Percentile(r.Posts, 0.50),10:F1}{Bench.Percentile(r.Posts, 0.95),8:F1}" +
                              $"{Bench.Percentile(r.Visible, 0.50),10:F1}{Bench.Percentile(r.Visible, 0.95),8:F1}{r.Visible.Max(),8:F1}" +
                              $"{r.Burst.RecordedRate,10:F1}{r.Burst.ArrivedRate,10:F1}{r.Burst.ArrivedRate / r.Burst.RecordedRate,8:F2}");
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages (Linux), so that figures taken on a busy machine say so.</summary>
    private static string LoadAverage()
    {
        try
        {
            return ", load average " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-sharing: {message}");
        return false;
    }

    private sealed class BenchmarkFailed(string message) : Exception(message);
}
