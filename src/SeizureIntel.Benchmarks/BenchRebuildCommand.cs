using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Node;
using SeizureIntel.Seizures.References;

namespace SeizureIntel.Benchmarks;

public sealed class BenchRebuildInput : NetCoreInput
{
    [Description("Events in all (seizures with corrections, lab results and voids mixed in)")]
    public long EventsFlag { get; set; } = 1_000_000;

    [Description("Events of the first part, rebuilt both by Marten's own rebuild (the baseline) and by read-models rebuild, which must agree")]
    public long BaselineFlag { get; set; } = 100_000;

    [Description("PostgreSQL schema to run in; its data is deleted first, so it must not be the node's configured schema")]
    public string SchemaFlag { get; set; } = "bench_rebuild";
}

/// <summary>
/// Rebuild of every SeizureLedger read model: a real node (async daemon on) in a scratch schema. First part: the baseline
/// events are bulk-loaded, rebuilt by Marten's own projection rebuild (the daemon applying event batches through the
/// projection) and then by <see cref="LedgerRebuild"/> (blue/green), and every read-model row of the two is compared. Second
/// part: the rest of the events are loaded with the projection's agent stopped, so the node serves the read models of the
/// first part, and <see cref="LedgerRebuild"/> rebuilds over all of them while a client keeps reading the year summary; it
/// must be answered throughout, with the previous figures until the switch and the new ones after, equal to the
/// generator's own totals.
/// </summary>
[Description("Events per second of read-models rebuild (blue/green, while serving) against Marten's own rebuild", Name = "bench-rebuild")]
public sealed class BenchRebuildCommand : JasperFxAsyncCommand<BenchRebuildInput>
{
    public override async Task<bool> Execute(BenchRebuildInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");
        if (input.BaselineFlag < 1 || input.EventsFlag <= input.BaselineFlag) return Fail("--baseline must be positive and below --events");
        var configured = input.BuildHost().Services.GetRequiredService<NodeOptions>();
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase))
            return Fail($"--schema '{schema}' is this node's own schema; the benchmark deletes all data in its schema");
        Console.WriteLine($"bench-rebuild: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {input.EventsFlag:N0} events, baseline part {input.BaselineFlag:N0}");

        var (host, http) = await Bench.StartNodeAsync(Bench.ScratchNode(configured, schema));
        await using var _ = host;
        using var __ = http;
        try
        {
            var store = host.Services.GetRequiredService<IDocumentStore>();
            var db = host.Services.GetRequiredService<NpgsqlDataSource>();
            var coordinator = host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
            var daemon = coordinator.DaemonForMainDatabase();
            var rebuild = ActivatorUtilities.CreateInstance<LedgerRebuild>(host.Services);
            await host.ResetAllMartenDataAsync();
            await using (var truncate = db.CreateCommand($"truncate {schema}.{ReferenceAllocator.TableName}")) await truncate.ExecuteNonQueryAsync();

            // Part 1: the baseline events, rebuilt both ways.
            var (all, expected) = BenchData.Generate(store, input.EventsFlag, mixed: true, seed: 20150101);
            var first = new List<JasperFx.Events.StreamAction>();
            long firstEvents = 0;
            foreach (var s in all)
            {
                if (firstEvents >= input.BaselineFlag) break;
                first.Add(s);
                firstEvents += s.Events.Count;
            }
            var sw = Stopwatch.StartNew();
            await daemon.StopAgentAsync(LedgerRebuild.ShardName);
            await BenchData.LoadAsync(store, first);
            Console.WriteLine($"loaded {firstEvents:N0} events ({first.Count:N0} seizures) by COPY in {sw.Elapsed.TotalSeconds:F1} s (set-up)");
            await WaitForHighWaterAsync(db, schema, TimeSpan.FromMinutes(5));

            sw.Restart();
            var cpu = CpuTime();
            await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(60), CancellationToken.None);
            var marten = sw.Elapsed;
            var martenCpu = CpuTime() - cpu;
            var martenRows = await SnapshotAsync(db, schema);
            Console.WriteLine($"Marten's own rebuild (baseline): {firstEvents:N0} events in {marten.TotalSeconds:F1} s = {firstEvents / marten.TotalSeconds:N0} events/s");

            var part1 = await rebuild.RunAsync(new ProgressBar(Console.Out), whileServing: true, CancellationToken.None);
            Console.WriteLine();
            Console.WriteLine(RebuildCommand.Describe(part1));
            var oursRows = await SnapshotAsync(db, schema);
            var differing = martenRows.Keys.Union(oursRows.Keys).Count(k => martenRows.GetValueOrDefault(k) != oursRows.GetValueOrDefault(k));
            Console.WriteLine($"same read models as Marten's rebuild: {(differing == 0 ? "yes" : "NO")} ({oursRows.Count:N0} rows compared, {differing} differ)");
            if (differing > 0) return Fail("the two rebuilds disagree");

            // Part 2: the rest, loaded while the daemon is paused: the node serves the first part's read models (the rebuild resumes it).
            await coordinator.PauseAsync();
            sw.Restart();
            await BenchData.LoadAsync(store, all.Skip(first.Count).ToList());
            Console.WriteLine($"loaded {expected.Events - firstEvents:N0} more events by COPY in {sw.Elapsed.TotalSeconds:F1} s (set-up); {expected.Events:N0} in all, {expected.Seizures:N0} seizures");
            await WaitForHighWaterAsync(db, schema, TimeSpan.FromMinutes(10));
            var before = await YearCountAsync(http);

            using var stop = new CancellationTokenSource();
            var reads = new List<(double Ms, int Status, int Count)>();
            var reader = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    using var response = await http.GetAsync("/api/years/2015/summary");
                    var count = response.IsSuccessStatusCode
                        ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32() : -1;
                    lock (reads) reads.Add((Stopwatch.GetElapsedTime(start).TotalMilliseconds, (int)response.StatusCode, count));
                    await Task.Delay(50);
                }
            });
            cpu = CpuTime();
            var part2 = await rebuild.RunAsync(new ProgressBar(Console.Out), whileServing: true, CancellationToken.None);
            var part2Cpu = CpuTime() - cpu;
            await Task.Delay(500);
            await stop.CancelAsync();
            await reader;
            Console.WriteLine();
            Console.WriteLine(RebuildCommand.Describe(part2));

            var after = await YearCountAsync(http);
            var failures = reads.Count(r => r.Status != 200);
            var firstNew = reads.FindIndex(r => r.Count != before);
            var values = new List<int>();
            foreach (var r in reads) if (values.Count == 0 || values[^1] != r.Count) values.Add(r.Count);
            Console.WriteLine($"year 2015 counts answered in order: {string.Join(" -> ", values.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)))}");
            var consistent = firstNew > 0 && reads.Take(firstNew).All(r => r.Count == before) && reads.Skip(firstNew).All(r => r.Count == after);
            Console.WriteLine($"served meanwhile: {reads.Count} reads of /api/years/2015/summary, {failures} failed, p95 {Bench.Percentile(reads.Select(r => r.Ms).ToList(), 0.95):F1} ms; " +
                              $"{(firstNew < 0 ? reads.Count : firstNew)} answered {before:N0} (previous read models), then {reads.Count - Math.Max(firstNew, 0)} answered {after:N0} (switched)" +
                              $"{(consistent ? "" : " — NOT a clean switch")}");
            var years = new List<string>();
            var match = true;
            foreach (var (year, (count, grams)) in expected.ByYear)
            {
                var got = await http.GetFromJsonAsync<JsonElement>($"/api/years/{year}/summary");
                var ok = got.GetProperty("count").GetInt32() == count && got.GetProperty("grams").GetDecimal() == grams;
                match &= ok;
                years.Add($"{year}: {count:N0} {(ok ? "=" : "≠")}");
            }
            Console.WriteLine($"year totals against the generator's own: {(match ? "equal" : "NOT equal")} ({string.Join(", ", years)})");
            Console.WriteLine();
            Console.WriteLine($"{"rebuild",-44}{"events",12}{"seconds",10}{"events/s",12}");
            Console.WriteLine($"{"Marten's own (baseline)",-44}{firstEvents,12:N0}{marten.TotalSeconds,10:F1}{firstEvents / marten.TotalSeconds,12:N0}");
            Console.WriteLine($"{"read-models rebuild, same events",-44}{part1.Events + part1.CaughtUp,12:N0}{part1.Total.TotalSeconds,10:F1}{part1.EventsPerSecond,12:N0}");
            Console.WriteLine($"{"read-models rebuild, all, while serving",-44}{part2.Events + part2.CaughtUp,12:N0}{part2.Total.TotalSeconds,10:F1}{part2.EventsPerSecond,12:N0}");
            Console.WriteLine($"ratio (all, while serving / Marten's own): {part2.EventsPerSecond / (firstEvents / marten.TotalSeconds):F1}x; load average {LoadAverage()}");
            // On a shared machine the wall time measures the load; this process's CPU time (PostgreSQL's not included) measures the work.
            Console.WriteLine($"this process's CPU time: Marten's own {martenCpu.TotalSeconds:F1} s ({firstEvents / martenCpu.TotalSeconds:N0} events per CPU-second); " +
                              $"read-models rebuild, all, while serving {part2Cpu.TotalSeconds:F1} s ({(part2.Events + part2.CaughtUp) / part2Cpu.TotalSeconds:N0} events per CPU-second, " +
                              $"{Environment.ProcessorCount} cores; the reader of the year summary included)");
            return match && failures == 0 && consistent;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static TimeSpan CpuTime() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;

    private static async Task<int> YearCountAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/years/2015/summary")).GetProperty("count").GetInt32();

    /// <summary>Waits until the daemon's high-water mark has reached the newest event (no gap left open behind a bulk load).</summary>
    private static async Task WaitForHighWaterAsync(NpgsqlDataSource db, string schema, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            await using var command = db.CreateCommand(
                $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = 'HighWaterMark'), 0) >= (select coalesce(max(seq_id), 0) from {schema}.mt_events)");
            if ((bool)(await command.ExecuteScalarAsync())!) return;
            await Task.Delay(200);
        }
        throw new TimeoutException("the daemon's high-water mark did not reach the newest event");
    }

    /// <summary>Every read-model row (table, id → data as text) of the SeizureLedger projection and the seizure locations.</summary>
    private static async Task<Dictionary<string, string>> SnapshotAsync(NpgsqlDataSource db, string schema)
    {
        var rows = new Dictionary<string, string>();
        string[] tables = ["mt_doc_seizurefact", "mt_doc_facilitysummary", "mt_doc_facilityyearsummary", "mt_doc_yearsummary", "mt_doc_monthlybucket",
            "mt_doc_monthlyrollup", "mt_doc_parkedevent"];
        foreach (var table in tables)
        {
            await using var command = db.CreateCommand($"select id::text, data::text from {schema}.{table}");
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows[$"{table}/{reader.GetString(0)}"] = reader.GetString(1);
        }
        await using (var command = db.CreateCommand(
                         $"select seizure_id::text, concat_ws('|', ST_AsText(geom), precision, agency, facility_id, oblast, substance, substance_group, detection, local_date, occurred_at, grams, lab_confirmed_grams, counted) from {schema}.seizure_locations"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows[$"locations/{reader.GetString(0)}"] = reader.GetString(1);
        return rows;
    }

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-rebuild: {message}");
        return false;
    }
}
