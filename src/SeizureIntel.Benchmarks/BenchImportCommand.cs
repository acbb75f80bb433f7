using System.Diagnostics;
using System.Globalization;
using System.Text;
using JasperFx.CommandLine;
using Marten;
using Npgsql;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Imports;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Node;

namespace SeizureIntel.Benchmarks;

public sealed class BenchImportInput : NetCoreInput
{
    [Description("Generated rows to import, e.g. 1000000")]
    public int RowsFlag { get; set; } = 100_000;

    [Description("Scratch PostgreSQL schema (dropped and recreated); never the node's own schema")]
    public string SchemaFlag { get; set; } = "bench_import";

    [Description("Minutes to wait for the read models to catch up after the import (daemon on)")]
    public int CatchUpMinutesFlag { get; set; } = 60;

    [Description("Seconds of the async daemon alone after the import (the same-run baseline of the catch-up), before the rebuild takes over; 0 skips it")]
    public int DaemonSecondsFlag { get; set; } = 60;

    [Description("Skip the floor (the import's rows put into empty copies of Marten's tables), e.g. when only the catch-up is measured")]
    public bool NoFloorFlag { get; set; }

    [Description("Before the import, time its .NET stages alone on the same file (read; read + check; read + check + serialise), µs a row")]
    public bool ProfileFlag { get; set; }

    [Description("Keep the generated CSV at this path")]
    [FlagAlias("keep", true)]
    public string KeepFlag { get; set; } = "";
}

/// <summary>
/// The seizure import on N generated template rows (real facilities, substances, units and detections; dates over
/// 2010–2020; decimal quantities): the whole import as POST /api/imports runs it (file hashed and stored; every row read
/// and checked once and staged by COPY; the staged rows moved into streams, events and snapshots one transaction per
/// 5,000 rows with their keys and the import's progress; the async daemon off), next to a raw PostgreSQL COPY of the
/// same CSV into a plain typed table in the same database, in the same run, and the floor of any writer of this store:
/// the import's own rows put into empty copies of Marten's tables (streams, events, snapshots, keys). Then a node of the same store with the
/// daemon on, timed until every year summary shows the generated grams (the read models caught up). Prints rows/s of
/// each, their ratio, the peak managed heap seen during the import (flat: the file is streamed) and the load average.
/// </summary>
[Description("Import N generated seizure rows through the product and COPY the same rows into a plain table", Name = "bench-import")]
public sealed class BenchImportCommand : JasperFxAsyncCommand<BenchImportInput>
{
    public override async Task<bool> Execute(BenchImportInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");
        if (input.RowsFlag < 1) return Fail("--rows must be at least 1");

        NodeOptions configured;
        FacilityCatalog facilities;
        using (var host = input.BuildHost())
        {
            configured = host.Services.GetRequiredService<NodeOptions>();
            facilities = host.Services.GetRequiredService<FacilityCatalog>();
        }
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase)) return Fail($"--schema '{schema}' is this node's own schema");

        var path = string.IsNullOrWhiteSpace(input.KeepFlag) ? Path.GetTempFileName() : Path.GetFullPath(input.KeepFlag);
        var clock = Stopwatch.StartNew();
        var gramsByYear = await GenerateAsync(path, input.RowsFlag, facilities);
        var bytes = new FileInfo(path).Length;
        Console.WriteLine($"bench-import: {input.RowsFlag:N0} rows, {bytes / 1048576.0:F1} MiB CSV generated in {clock.Elapsed.TotalSeconds:F1} s; schema '{schema}'; " +
                          $"load average {LoadAverage()}");

        await using (var reset = new NpgsqlConnection(configured.ConnectionString))
        {
            await reset.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", reset);
            await drop.ExecuteNonQueryAsync();
        }
        var (app, http) = await Bench.StartNodeAsync([.. Bench.ScratchNode(configured, schema), "--SeizureIntel:RunDaemon=false"]);
        double? catchUp = null;
        try
        {
            var store = app.Services.GetRequiredService<IDocumentStore>();
            var importer = app.Services.GetRequiredService<SeizureImporter>();
            var data = app.Services.GetRequiredService<NpgsqlDataSource>();

            if (input.ProfileFlag) await ProfileAsync(app.Services, store, path, input.RowsFlag);

            // the product: intake (hash, store the file), check every row, write in batches
            GC.Collect();
            var baseline = GC.GetTotalMemory(true);
            long peak = 0;
            clock.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await using (var file = File.OpenRead(path))
            {
                var import = await ImportIntake.CreateAsync(store, file, new ImportOptions(false, false, null, "bench.csv"), new Actor("bench", configured.Agency),
                    DateTimeOffset.UtcNow, CancellationToken.None);
                var intake = clock.Elapsed.TotalSeconds;
                double? checkedAt = null;
                import = await importer.RunAsync(import.Id, p =>
                {
                    peak = Math.Max(peak, GC.GetTotalMemory(false));
                    if (p.Status == ImportStatus.Writing && checkedAt is null) checkedAt = clock.Elapsed.TotalSeconds;
                }, CancellationToken.None);
                var total = clock.Elapsed.TotalSeconds;
                if (import.Status != ImportStatus.Completed || import.RowsImported != input.RowsFlag)
                    return Fail($"the import ended {import.Status} with {import.RowsImported:N0} rows imported, {import.RowsRefused:N0} refused: " +
                                string.Join("; ", import.Refusals.Take(3).Select(r => $"line {r.Line} {r.Column}: {r.Why}")));
                var write = total - (checkedAt ?? intake);
                var importCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var copy = await CopyAsync(data, schema, path);
                var floor = input.NoFloorFlag ? double.NaN : await FloorAsync(data, store, schema);
                Console.WriteLine();
                Console.WriteLine("| what | seconds | rows/s | vs COPY |");
                Console.WriteLine("| --- | ---: | ---: | ---: |");
                Row("raw COPY into a plain typed table", copy, copy, input.RowsFlag);
                if (!double.IsNaN(floor)) Row("floor: the import's rows put into empty copies of Marten's tables (their indexes, the foreign key; JSON parsed from text)", floor, copy, input.RowsFlag);
                Row("import, whole (intake + check + write)", total, copy, input.RowsFlag);
                Row("  of which intake (hash, file stored)", intake, copy, input.RowsFlag);
                Row("  of which check pass (read, check, stage by COPY)", (checkedAt ?? intake) - intake, copy, input.RowsFlag);
                Row("  of which write pass (staging → keys, references, streams, events, snapshots)", write, copy, input.RowsFlag);
                Console.WriteLine();
                Console.WriteLine($"managed heap: {baseline / 1048576.0:F0} MiB before, peak {peak / 1048576.0:F0} MiB seen during the import " +
                                  $"(file {bytes / 1048576.0:F0} MiB); process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB; " +
                                  $"CPU used by this process during the import {importCpu:F1} s; load average {LoadAverage()}");
            }

            // the read models caught up after: a node of the same store with the async daemon on. First the daemon alone for a
            // while (the baseline: events applied a second, and the rows it writes an event), then the node's own catch-up after an
            // import (ImportCatchUp, as the import queue runs it: the blue/green rebuild), timed until every year's total is in.
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            clock.Restart();
            (app, http) = await Bench.StartNodeAsync(Bench.ScratchNode(configured, schema));
            var started = clock.Elapsed.TotalSeconds;
            var served = app.Services.GetRequiredService<NpgsqlDataSource>();
            double? daemonRate = null;
            if (input.DaemonSecondsFlag > 0)
            {
                var (applied0, writes0) = await DaemonProgressAsync(served, schema);
                var window = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(input.DaemonSecondsFlag));
                var (applied1, writes1) = await DaemonProgressAsync(served, schema);
                daemonRate = (applied1 - applied0) / window.Elapsed.TotalSeconds;
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "daemon alone for {0:F0} s: {1:N0} events applied ({2:N0} events/s), {3:N1} rows written an event " +
                    "(inserted, updated or deleted in the schema's tables, PostgreSQL's statistics); load average {4}",
                    window.Elapsed.TotalSeconds, applied1 - applied0, daemonRate, applied1 > applied0 ? (double)(writes1 - writes0) / (applied1 - applied0) : double.NaN,
                    LoadAverage()));
            }
            clock.Restart();
            var handOff = app.Services.GetServices<IAfterImport>().OfType<SeizureIntel.Intelligence.Ledger.ImportCatchUp>().Single();
            var readModels = await handOff.CatchUpAsync(CancellationToken.None);
            var handedOff = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "catch-up after the import: by {0} ({1:N0} events behind: {2}) in {3:F1} s{4}",
                readModels.By, readModels.EventsBehind, readModels.Why, handedOff,
                readModels.By == "rebuild" ? $", up to sequence {readModels.UpTo:N0}, {readModels.EventsPerSecond:N0} events/s folded and applied ({readModels.Phases})" : ""));
            catchUp = await CatchUpAsync(http, gramsByYear, clock, TimeSpan.FromMinutes(input.CatchUpMinutesFlag));
            if (catchUp is { } seconds)
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "read models caught up (every year summary = the generated grams): {0:F1} s after the daemon's baseline window " +
                    "(the node's start took {1:F1} s), {2:N0} events/s{3}; load average {4}", seconds, started, input.RowsFlag / seconds,
                    daemonRate is { } rate ? $" = {input.RowsFlag / seconds / rate:F0}x the daemon's rate" : "", LoadAverage()));
            else
            {
                var counted = 0m;
                foreach (var year in gramsByYear.Keys)
                {
                    using var json = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/years/{year}/summary"));
                    counted += json.RootElement.GetProperty("grams").GetDecimal();
                }
                var share = counted / gramsByYear.Values.Sum();
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                    "read models NOT caught up within {0} min: the year summaries held {1:P1} of the generated grams (about {2:N0} events/s); load average {3}",
                    input.CatchUpMinutesFlag, share, (double)share * input.RowsFlag / clock.Elapsed.TotalSeconds, LoadAverage()));
            }
        }
        finally
        {
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
            if (string.IsNullOrWhiteSpace(input.KeepFlag)) File.Delete(path);
        }
        return catchUp is not null;
    }

    /// <summary>
    /// The .NET stages of the check pass alone, one thread, nothing written: where a row's time goes before PostgreSQL.
    /// Each stage includes the ones before it; prints wall and CPU µs a row.
    /// </summary>
    private static async Task ProfileAsync(IServiceProvider services, IDocumentStore store, string path, int rows)
    {
        var checks = services.GetRequiredService<RowChecks>();
        var serializer = store.Options.Serializer();
        var actor = new Actor("bench", "bench");
        var now = DateTimeOffset.UtcNow;
        var from = new SeizureIntel.Seizures.Recording.ImportedFrom(Guid.NewGuid(), "0", 1, false);
        foreach (var stage in new[] { "read", "read + check", "read + check + event and snapshot built", "read + check + event and snapshot serialised" })
        {
            GC.Collect();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            long bytes = 0;
            await using (var file = File.OpenRead(path))
            {
                var facts = await TextDetection.ScanAsync(file);
                file.Position = 0;
                var reader = ImportReader.Open(file, facts, ImportMapping.None, checks.Plausible).Reader!;
                foreach (var reading in reader.Rows())
                {
                    if (stage == "read") continue;
                    var (valid, _) = checks.Check(reading.Row!, ImportMapping.None, null, false, now);
                    if (stage == "read + check" || valid is null) continue;
                    var recorded = SeizureIntel.Seizures.Recording.SeizureRules.Recorded(Guid.CreateVersion7(now), valid.Seizure, "", actor, now, importedFrom: from);
                    var snapshot = SeizureIntel.Seizures.Seizure.Create(recorded);
                    if (stage.EndsWith("built")) continue;
                    bytes += serializer.ToJson(recorded).Length + serializer.ToJson(snapshot).Length;
                }
            }
            var wall = clock.Elapsed.TotalSeconds;
            var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "profile: {0}: {1:F1} s, {2:F1} µs a row wall, {3:F1} µs a row CPU{4}", stage, wall,
                wall * 1e6 / rows, used * 1e6 / rows, bytes > 0 ? $", {bytes / rows} JSON chars a row" : ""));
        }
    }

    /// <summary>Polls the year summaries until each year's grams equal the generated ones; the seconds on the clock then, or null.</summary>
    private static async Task<double?> CatchUpAsync(HttpClient http, IReadOnlyDictionary<int, decimal> gramsByYear, Stopwatch clock, TimeSpan limit)
    {
        while (clock.Elapsed < limit)
        {
            var all = true;
            foreach (var (year, grams) in gramsByYear)
            {
                using var response = await http.GetAsync($"/api/years/{year}/summary");
                if (!response.IsSuccessStatusCode) { all = false; break; }
                using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (json.RootElement.GetProperty("grams").GetDecimal() != grams) { all = false; break; }
            }
            if (all) return clock.Elapsed.TotalSeconds;
            await Task.Delay(500);
        }
        return null;
    }

    /// <summary>Where the SeizureLedger projection stands, and the rows inserted, updated and deleted so far in this schema's tables.</summary>
    private static async Task<(long Applied, long Writes)> DaemonProgressAsync(NpgsqlDataSource data, string schema)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = '{SeizureIntel.Intelligence.Ledger.LedgerRebuild.ShardName}'), 0), " +
            $"coalesce((select sum(n_tup_ins + n_tup_upd + n_tup_del) from pg_stat_user_tables where schemaname = '{schema}' and relname <> 'mt_event_progression'), 0)::bigint",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static void Row(string what, double seconds, double copy, int rows) =>
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1:F1} | {2:N0} | {3:F2}× |", what, seconds, rows / seconds, copy / seconds));

    private static readonly string[] Substances = ["heroin", "cannabis-resin", "cannabis-herb", "opium", "cocaine", "methamphetamine"];
    private static readonly string[] Detections = ["visitor-search", "cell-search", "xray-parcel", "perimeter", "canine"];

    /// <summary>
    /// Template rows, streamed to disk: the first facilities of the catalogue, real vocabulary codes, dates in 2010–2020
    /// (stated at +06:00, Kyrgyzstan's offset, so the stated year is the local one). Returns the grams generated per year.
    /// </summary>
    private static async Task<Dictionary<int, decimal>> GenerateAsync(string path, int rows, FacilityCatalog facilities)
    {
        var gramsByYear = new Dictionary<int, decimal>();
        var codes = facilities.All.Select(f => f.Code).Take(20).ToArray();
        var random = new Random(15);
        await using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync("reference,facility,occurred_at,substance,quantity,unit,detection,place,entry,concealment,possession,lat,lon,notes\n");
        var start = new DateTimeOffset(2010, 1, 1, 0, 0, 0, TimeSpan.FromHours(6));
        for (var i = 1; i <= rows; i++)
        {
            var at = start.AddMinutes(random.Next(0, 11 * 365 * 24 * 60));
            var grams = random.Next(1, 500_000) / 100m;
            gramsByYear[at.Year] = gramsByYear.GetValueOrDefault(at.Year) + grams;
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"B-{i},{codes[random.Next(codes.Length)]},{at:yyyy-MM-dd'T'HH:mm:sszzz},{Substances[random.Next(Substances.Length)]},{grams},g,{Detections[random.Next(Detections.Length)]},,,,,,,bench row {i}\n"));
        }
        return gramsByYear;
    }

    /// <summary>COPY of the same CSV file into a plain table of the template's columns, typed.</summary>
    private static async Task<double> CopyAsync(NpgsqlDataSource data, string schema, string path)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand(
                         $"""
                          drop table if exists {schema}.raw_seizure_rows;
                          create table {schema}.raw_seizure_rows (reference text, facility text, occurred_at timestamptz, substance text, quantity numeric,
                            unit text, detection text, place text, entry text, concealment text, possession text, lat double precision, lon double precision, notes text)
                          """, connection))
            await create.ExecuteNonQueryAsync();
        var clock = Stopwatch.StartNew();
        await using (var copy = await connection.BeginTextImportAsync($"copy {schema}.raw_seizure_rows from stdin (format csv, header true)"))
        using (var file = new StreamReader(path))
        {
            var buffer = new char[1 << 16];
            int read;
            while ((read = await file.ReadAsync(buffer)) > 0) await copy.WriteAsync(buffer, 0, read);
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// What any writer of this store must pay at least: the rows the import wrote (streams, events, snapshots, keys) put
    /// into empty copies of those tables (same columns, indexes and foreign key), one statement each, the JSON parsed
    /// from its text as a COPY from a client would have it parsed. Nothing of reading, checking or serialising is in it.
    /// </summary>
    private static async Task<double> FloorAsync(NpgsqlDataSource data, IDocumentStore store, string schema)
    {
        var floor = schema + "_floor";
        var docs = store.Options.DatabaseSchemaName;
        await using var connection = await data.OpenConnectionAsync();
        async Task RunAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
        await RunAsync($"""
                        drop schema if exists {floor} cascade; create schema {floor};
                        create table {floor}.mt_streams (like {schema}.mt_streams including all);
                        create table {floor}.mt_events (like {schema}.mt_events including all);
                        alter table {floor}.mt_events add foreign key (stream_id) references {floor}.mt_streams (id) on delete cascade;
                        create table {floor}.mt_doc_seizure (like {docs}.mt_doc_seizure including all);
                        create table {floor}.{ImportStorage.KeysTable} (like {schema}.{ImportStorage.KeysTable} including all)
                        """);
        var clock = Stopwatch.StartNew();
        await RunAsync($"insert into {floor}.mt_streams select * from {schema}.mt_streams");
        await RunAsync($"insert into {floor}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived) " +
                       $"select seq_id, id, stream_id, version, data::text::jsonb, type, timestamp, tenant_id, mt_dotnet_type, is_archived from {schema}.mt_events");
        await RunAsync($"insert into {floor}.mt_doc_seizure (id, data, mt_last_modified, mt_dotnet_type, mt_version) " +
                       $"select id, data::text::jsonb, mt_last_modified, mt_dotnet_type, mt_version from {docs}.mt_doc_seizure");
        await RunAsync($"insert into {floor}.{ImportStorage.KeysTable} select * from {schema}.{ImportStorage.KeysTable}");
        var seconds = clock.Elapsed.TotalSeconds;
        await RunAsync($"drop schema {floor} cascade");
        return seconds;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-import: {message}");
        return false;
    }
}
