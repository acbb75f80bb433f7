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
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures.References;
using SeizureIntel.Sharing;
using SeizureIntel.Sharing.Publishing;
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

    [Description("Sustained run: this many seizures recorded on SSEP in bulk (set-up, not timed) while its sharing is paused, then shared; times their arrival in SSDC's store and year summary while single seizures are timed alongside (0: skip)")]
    [FlagAlias("sustained", 's')]
    public int SustainedFlag { get; set; }

    [Description("The receiving node's Sharing:ReceiveBatchMilliseconds (how long a batch of shared records collects); default: the node's default")]
    [FlagAlias("batch-ms", true)]
    public int BatchMillisecondsFlag { get; set; }

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
        if (input.BurstFlag < 0) return Fail("--burst must be 0 (skip) or more");
        if (input.SustainedFlag < 0) return Fail("--sustained must be 0 (skip) or more");

        Console.WriteLine($"bench-sharing: SSEP -> SSDC on 127.0.0.1, {Environment.ProcessorCount} cores{LoadAverage()}; {input.CountFlag} seizures one after another " +
                          $"(polling SSDC every {PollInterval.TotalMilliseconds} ms), then a burst of {input.BurstFlag} from {Clients} concurrent clients" +
                          (input.SustainedFlag > 0 ? $", then {input.SustainedFlag} shared after a bulk recording, single seizures timed alongside" : ""));
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
        await DropSchemasAsync(names, input.ConnectionFlag);
        await using var ssep = await StartNodeAsync("SSEP", "SSDC", names, input.ConnectionFlag, input.BatchMillisecondsFlag);
        await using var ssdc = await StartNodeAsync("SSDC", "SSEP", names, input.ConnectionFlag, input.BatchMillisecondsFlag);
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

        Burst? burst = null;
        if (input.BurstFlag > 0)
        {
            burst = await BurstAsync(ssep.Http, database, names.SchemaOf("SSDC"), input.BurstFlag);
            PrintBurst(burst);
        }
        Sustained? sustained = null;
        if (input.SustainedFlag > 0)
        {
            sustained = await SustainedAsync(ssep, ssdc, database, names, input.SustainedFlag);
            PrintSustained(sustained, posts, visible);
        }
        return new Result(transport, posts, visible, burst, sustained);
    }

    /// <summary>
    /// The run's schemas go before its nodes start (they create them again): a PostgreSQL queue left full by an earlier
    /// run that was stopped would otherwise be read by the listener before the reset below could empty it.
    /// </summary>
    private static async Task DropSchemasAsync(BenchNames names, string connection)
    {
        await using var database = NpgsqlDataSource.Create(connection);
        foreach (var schema in new[] { names.SchemaOf("SSEP"), names.SchemaOf("SSDC"), names.QueueSchema })
        {
            await using var drop = database.CreateCommand($"drop schema if exists {schema} cascade");
            await drop.ExecuteNonQueryAsync();
        }
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
    private static async Task<RunningNode> StartNodeAsync(string agency, string partner, BenchNames names, string connection, int batchMilliseconds)
    {
        string[] args =
        [
            .. batchMilliseconds > 0 ? [$"--SeizureIntel:Sharing:ReceiveBatchMilliseconds={batchMilliseconds}"] : Array.Empty<string>(),
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
    private static async Task<(double Post, double Visible)> PostAndWaitAsync(HttpClient ssep, HttpClient ssdc, int year, int index, TimeSpan? timeout = null)
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
            if (Stopwatch.GetElapsedTime(start) > (timeout ?? SeizureTimeout))
                throw new BenchmarkFailed($"seizure {id} did not reach SSDC within {(timeout ?? SeizureTimeout).TotalSeconds} s");
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

    private const int SustainedYear = 2005; // the bulk; single seizures timed alongside are recorded in LagYear
    private const int SustainedChunk = 1000;
    private static readonly TimeSpan SustainedTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(100);

    private sealed record Sustained(int Count, double SetupSeconds, double SsepReadModelSeconds, double StoreSeconds, double ReadModelSeconds,
        double StoreRateMiddle, List<double> Posts, List<double> Visible, string Load, double FirstSeconds, double TenthSeconds, double NinetiethSeconds);

    /// <summary>
    /// A partner catching up after an import: SSEP's sharing subscription is stopped, <paramref name="count"/> seizures are
    /// recorded on SSEP through the import's own call (<see cref="SeizureRecording.StartManyAsync"/>, 1,000 per transaction;
    /// set-up, not timed), then the subscription is started and the clock runs until SSDC's store holds every one (its
    /// mt_streams rows in the bulk's id range: the ids are version-7 UUIDs, so the single seizures recorded later sort after
    /// it) and until SSDC's year summary counts every one. Meanwhile single seizures are posted on SSEP one after another,
    /// each polled on SSDC until it shows: the partner-visible lag a user sees while the backlog flows.
    /// </summary>
    private static async Task<Sustained> SustainedAsync(RunningNode ssep, RunningNode ssdc, NpgsqlDataSource database, BenchNames names, int count)
    {
        var services = ssep.App.Services;
        var daemon = services.GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>().DaemonForMainDatabase();
        var shard = $"{SharingSubscription.Name}:All";
        await daemon.StopAgentAsync(shard);
        var node = services.GetRequiredService<NodeOptions>();
        var fields = services.GetRequiredService<SeizureFields>();
        var store = services.GetRequiredService<IDocumentStore>();
        var by = new Actor("bench", node.Agency);
        var setup = Stopwatch.GetTimestamp();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>(count);
        for (var start = 0; start < count; start += SustainedChunk)
        {
            var batch = new List<(ValidSeizure, ImportedFrom?)>();
            for (var i = start; i < Math.Min(count, start + SustainedChunk); i++)
            {
                var occurredAt = new DateTimeOffset(SustainedYear, 1, 2, 12, 0, 0, TimeSpan.FromHours(6)).AddMinutes(i % (300 * 24 * 60));
                var command = new RecordSeizure("SIZO-1", occurredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                    "heroin", new QuantityInput(1, "g"), "cell-search", Notes: null);
                var (seizure, problems) = SeizureRules.Check(command, fields, now);
                if (seizure is null) throw new BenchmarkFailed($"seizure {i} of the bulk is not valid: {string.Join("; ", problems.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))}");
                batch.Add((seizure, null));
            }
            await using var session = store.LightweightSession();
            ids.AddRange((await SeizureRecording.StartManyAsync(session, batch, by, now, CancellationToken.None)).Select(r => r.SeizureId));
            await session.SaveChangesAsync();
            // The projection coordinator starts a stopped agent again after a while: stopped again after every chunk (what
            // it shares meanwhile is counted before the clock and left out of the rates).
            await daemon.StopAgentAsync(shard);
        }
        var setupSeconds = Stopwatch.GetElapsedTime(setup).TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"sustained: {count} seizures recorded on SSEP in {setupSeconds:F1} s ({count / setupSeconds:F0}/s, set-up, not timed) with its sharing stopped");
        var (min, max) = (ids.Min(), ids.Max());
        var ssepSchema = names.SchemaOf("SSEP");
        var ssdcSchema = names.SchemaOf("SSDC");

        // The single seizures timed alongside the backlog, from before the subscription starts until the backlog is in.
        using var stop = new CancellationTokenSource();
        var posts = new List<double>();
        var visible = new List<double>();
        var probe = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // A single seizure shares the channel with the backlog: it may wait behind it for as long as the backlog takes.
                var (post, seen) = await PostAndWaitAsync(ssep.Http, ssdc.Http, LagYear, 100_000 + i, SustainedTimeout);
                posts.Add(post);
                visible.Add(seen);
                try { await Task.Delay(ProbeInterval, stop.Token); } catch (OperationCanceledException) { }
            }
        });

        await using var inStore = database.CreateCommand($"select count(*) from {ssdcSchema}.mt_streams where id between @min and @max");
        inStore.Parameters.AddWithValue("min", min);
        inStore.Parameters.AddWithValue("max", max);
        // The daemon may have started the stopped subscription again during a long set-up (seen under heavy load): what
        // arrived before the clock is printed and left out of the rates.
        var before = (long)(await inStore.ExecuteScalarAsync() ?? 0L);
        if (before > 0) Console.WriteLine($"sustained: {before} of the {count} had arrived at SSDC before the clock started (sharing resumed during the set-up); rates below count the other {count - before}");
        var started = Stopwatch.GetTimestamp();
        await daemon.StartAgentAsync(shard, CancellationToken.None);
        double? storeSeconds = null, readSeconds = null, ssepReadSeconds = null, atFirst = null, atTenth = null, atNine = null;
        var load = "";
        while (storeSeconds is null || readSeconds is null || ssepReadSeconds is null)
        {
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (elapsed > SustainedTimeout.TotalSeconds)
                throw new BenchmarkFailed($"after {SustainedTimeout.TotalMinutes} min SSDC held {await inStore.ExecuteScalarAsync()} of {count} and counted {await YearCountAsync(database, ssdcSchema, SustainedYear)} in {SustainedYear}");
            if (probe.IsFaulted) await probe;
            if (storeSeconds is null)
            {
                var arrived = (long)(await inStore.ExecuteScalarAsync() ?? 0L);
                if (atFirst is null && arrived > before) atFirst = elapsed;
                if (atTenth is null && arrived - before >= (count - before) / 10) atTenth = elapsed;
                if (atNine is null && arrived - before >= (count - before) * 9 / 10) { atNine = elapsed; load = LoadAverage(); }
                if (arrived >= count) storeSeconds = elapsed;
            }
            if (readSeconds is null && await YearCountAsync(database, ssdcSchema, SustainedYear) >= count) readSeconds = elapsed;
            if (ssepReadSeconds is null && await YearCountAsync(database, ssepSchema, SustainedYear) >= count) ssepReadSeconds = elapsed;
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        await stop.CancelAsync();
        await probe;
        var middle = (count - before) * 0.8 / Math.Max(0.001, atNine!.Value - atTenth!.Value);
        return new Sustained((int)(count - before), setupSeconds, ssepReadSeconds!.Value, storeSeconds!.Value, readSeconds!.Value, middle, posts, visible, load,
            atFirst!.Value, atTenth.Value, atNine.Value);
    }

    /// <summary>How many seizures a node's year summary (its read model, kept by the async daemon) counts in a year.</summary>
    private static async Task<long> YearCountAsync(NpgsqlDataSource database, string schema, int year)
    {
        await using var command = database.CreateCommand($"select coalesce((data->'total'->>'count')::bigint, 0) from {schema}.mt_doc_yearsummary where id = @id");
        command.Parameters.AddWithValue("id", YearSummary.IdFor(year));
        return (long)(await command.ExecuteScalarAsync() ?? 0L);
    }

    private static void PrintSustained(Sustained x, List<double> idlePosts, List<double> idleVisible)
    {
        Console.WriteLine($"{"sustained, " + x.Count + " shared",-44}{"seconds",10}{"per second",12}");
        Console.WriteLine($"{"SSEP's own year summary counts them (baseline)",-44}{x.SsepReadModelSeconds,10:F2}{x.Count / x.SsepReadModelSeconds,12:F0}");
        Console.WriteLine($"{"arrived in SSDC's store (all)",-44}{x.StoreSeconds,10:F2}{x.Count / x.StoreSeconds,12:F0}");
        Console.WriteLine($"{"  between 10% and 90% of them",-44}{"",10}{x.StoreRateMiddle,12:F0}");
        Console.WriteLine($"{"  (first arrived at, 10% at, 90% at)",-44}{x.FirstSeconds,10:F2}{x.TenthSeconds,8:F2}{x.NinetiethSeconds,8:F2}");
        Console.WriteLine($"{"counted in SSDC's year summary (all)",-44}{x.ReadModelSeconds,10:F2}{x.Count / x.ReadModelSeconds,12:F0}");
        Console.WriteLine($"(seconds from starting SSEP's sharing subscription; SSEP's own year summary counted from the same instant){x.Load}");
        Console.WriteLine($"{"milliseconds, meanwhile (n = " + x.Visible.Count + ")",-44}{"p50",10}{"p95",10}{"max",10}");
        Row("POST -> 201 on SSEP, idle (baseline)", idlePosts);
        Row("POST -> 200 from SSDC, idle (baseline)", idleVisible);
        Row("POST -> 201 on SSEP, during the backlog", x.Posts);
        Row("POST -> 200 from SSDC, during the backlog", x.Visible);

        static void Row(string name, List<double> values) => Console.WriteLine(
            $"{name,-44}{Bench.Percentile(values, 0.50),10:F1}{Bench.Percentile(values, 0.95),10:F1}{values.Max(),10:F1}");
    }

    private sealed record Result(string Transport, List<double> Posts, List<double> Visible, Burst? Burst, Sustained? Sustained);

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
                              (r.Burst is { } b ? $"{b.RecordedRate,10:F1}{b.ArrivedRate,10:F1}{b.ArrivedRate / b.RecordedRate,8:F2}" : ""));
        if (results.All(r => r.Sustained is null)) return;
        Console.WriteLine($"== summary: sustained, {input.SustainedFlag} shared after a bulk recording (seizures/s; single seizures' partner-visible lag in ms meanwhile)");
        Console.WriteLine($"{"transport",-12}{"store/s",10}{"read/s",10}{"seen p50",10}{"p95",8}{"max",8}{"n",6}");
        foreach (var r in results.Where(r => r.Sustained is not null))
        {
            var x = r.Sustained!;
            Console.WriteLine($"{r.Transport,-12}{x.Count / x.StoreSeconds,10:F0}{x.Count / x.ReadModelSeconds,10:F0}{Bench.Percentile(x.Visible, 0.50),10:F1}" +
                              $"{Bench.Percentile(x.Visible, 0.95),8:F1}{x.Visible.Max(),8:F1}{x.Visible.Count,6}");
        }
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
