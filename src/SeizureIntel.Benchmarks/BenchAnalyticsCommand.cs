using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using JasperFx.CommandLine;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures.References;

namespace SeizureIntel.Benchmarks;

public sealed class BenchAnalyticsInput : NetCoreInput
{
    [Description("Comma-separated numbers of generated seizures, e.g. 10000,100000")]
    public string SizesFlag { get; set; } = "10000";

    [Description("Timed requests of each kind per size")]
    public int RequestsFlag { get; set; } = 50;

    [Description("PostgreSQL schema to run in; its data is deleted first, so it must not be the node's configured schema")]
    public string SchemaFlag { get; set; } = "bench_analytics";
}

/// <summary>
/// Trends and comparison served from the read models (monthly buckets, year summaries) against an ad-hoc SQL
/// aggregate over the raw SeizureRecorded events giving the same answer. Generates seizures, appends them in large
/// batches, lets the async daemon build the read models, checks both paths agree, then times each.
/// </summary>
[Description("p50/p95 of /api/trends and /api/compare against ad-hoc SQL over mt_events", Name = "bench-analytics")]
public sealed partial class BenchAnalyticsCommand : JasperFxAsyncCommand<BenchAnalyticsInput>
{
    // Sessions of 1,000 commit in well under the daemon's 3 s stale-sequence threshold even on a busy 2-core machine; with
    // 5,000 a slow commit left a sequence gap open long enough for the high-water agent to skip past it (the answers
    // still matched, and are checked below, but a bulk loader should not lean on that race).
    private const int BatchSize = 1000;
    private static readonly string[] Facilities = ["SIZO-1", "IK-1", "IK-47", "SIZO-5", "KP-26", "IK-3", "IK-16", "SIZO-50"];
    private static readonly string[] Substances = ["heroin", "cannabis-herb", "cannabis-resin", "opium", "methamphetamine", "tramadol", "cannabis-oil"];
    private static readonly string[] Detections = ["visitor-search", "cell-search", "body-search", "perimeter", "canine", "xray-parcel"];
    private static readonly string[] Entries = ["parcel-post", "visitor", "staff", "throw-over", "unknown"];
    private static readonly string[] Agencies = ["SSEP", "SSDC"];

    private const string TrendsUrl = "/api/trends?from=2014-01&to=2015-12&granularity=month&facility=SIZO-1";
    private const string TrendsSql = """
        select to_char((data->>'localDate')::date, 'YYYY-MM') as period, count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and data->>'facilityId' = 'SIZO-1'
          and (data->>'localDate')::date between date '2014-01-01' and date '2015-12-31'
        group by 1 order by 1
        """;
    private const string CompareUrl = "/api/compare?year=2015&baseline=2014&by=substance";
    private const string CompareSql = """
        select data->>'substance' || '/' || extract(year from (data->>'localDate')::date)::text, count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and (data->>'localDate')::date between date '2014-01-01' and date '2015-12-31'
        group by 1 order by 1
        """;

    public override async Task<bool> Execute(BenchAnalyticsInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");
        List<int> sizes;
        try { sizes = input.SizesFlag.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToList(); }
        catch (FormatException) { return Fail($"--sizes '{input.SizesFlag}' must be comma-separated whole numbers"); }
        if (sizes.Count == 0 || sizes.Any(s => s < 1)) return Fail("--sizes must name at least one positive size");
        if (input.RequestsFlag < 1) return Fail("--requests must be at least 1");

        // The WebApplication Program.cs built holds the configured node: its settings are read, its store is not touched.
        var configured = input.BuildHost().Services.GetRequiredService<NodeOptions>();
        if (!configured.RunDaemon) return Fail("SeizureIntel:RunDaemon is false: the async daemon must run to build the read models");
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase))
            return Fail($"--schema '{schema}' is this node's own schema; the benchmark deletes all data in its schema");
        var (host, httpClient) = await Bench.StartNodeAsync(Bench.ScratchNode(configured, schema));
        await using var _ = host;
        var store = host.Services.GetRequiredService<IDocumentStore>();
        try
        {
            var data = host.Services.GetRequiredService<NpgsqlDataSource>();
            using var http = httpClient;
            var table = new List<string>();
            foreach (var size in sizes)
            {
                await host.ResetAllMartenDataAsync();
                await using (var truncate = data.CreateCommand($"truncate {schema}.{ReferenceAllocator.TableName}")) await truncate.ExecuteNonQueryAsync();

                var sw = Stopwatch.StartNew();
                await AppendAsync(store, size);
                var appended = sw.Elapsed;
                sw.Restart();
                await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(30));
                Console.WriteLine($"bench-analytics: {size:N0} seizures appended in {appended.TotalSeconds:F1} s; read models built by the daemon in {sw.Elapsed.TotalSeconds:F1} s");
                await using (var analyze = data.CreateCommand($"analyze {schema}.mt_events")) await analyze.ExecuteNonQueryAsync();

                // Same answer both ways, checked before anything is timed.
                var trends = await http.GetFromJsonAsync<JsonElement>(TrendsUrl);
                var trendRows = trends.GetProperty("series").EnumerateArray().Where(p => p.GetProperty("count").GetInt32() > 0)
                    .Select(p => $"{p.GetProperty("period").GetString()}:{p.GetProperty("count").GetInt32()}:{Tally.Canonical(p.GetProperty("grams").GetDecimal())}").ToList();
                var compare = await http.GetFromJsonAsync<JsonElement>(CompareUrl);
                var compareRows = compare.GetProperty("rows").EnumerateArray().SelectMany(r => new[]
                    {
                        (Key: r.GetProperty("key").GetString() + "/2014", r.GetProperty("baseline")),
                        (Key: r.GetProperty("key").GetString() + "/2015", r.GetProperty("current")),
                    })
                    .Where(x => x.Item2.GetProperty("count").GetInt32() > 0)
                    .Select(x => $"{x.Key}:{x.Item2.GetProperty("count").GetInt32()}:{Tally.Canonical(x.Item2.GetProperty("grams").GetDecimal())}").Order(StringComparer.Ordinal).ToList();
                var trendSql = await SqlRowsAsync(data, string.Format(TrendsSql, schema));
                var compareSql = (await SqlRowsAsync(data, string.Format(CompareSql, schema))).Order(StringComparer.Ordinal).ToList();
                if (!trendRows.SequenceEqual(trendSql)) return Fail($"trends and SQL disagree at {size}: {string.Join(" ", trendRows.Take(3))} vs {string.Join(" ", trendSql.Take(3))}");
                if (!compareRows.SequenceEqual(compareSql)) return Fail($"compare and SQL disagree at {size}: {string.Join(" ", compareRows.Take(3))} vs {string.Join(" ", compareSql.Take(3))}");

                var t = await TimeAsync(input.RequestsFlag, () => http.GetStringAsync(TrendsUrl));
                var ts = await TimeAsync(input.RequestsFlag, () => SqlRowsAsync(data, string.Format(TrendsSql, schema)));
                var c = await TimeAsync(input.RequestsFlag, () => http.GetStringAsync(CompareUrl));
                var cs = await TimeAsync(input.RequestsFlag, () => SqlRowsAsync(data, string.Format(CompareSql, schema)));
                table.Add(Row(size, "trends (HTTP, monthly buckets)", t, ts));
                table.Add(Row(size, "compare (HTTP, year summaries)", c, cs));
            }

            Console.WriteLine();
            Console.WriteLine($"{"seizures",10} {"request",-32}{"p50 ms",9}{"p95 ms",9}{"SQL p50",9}{"SQL p95",9}{"SQL/RM p50",11}{"SQL/RM p95",11}");
            foreach (var line in table) Console.WriteLine(line);
            Console.WriteLine("(SQL: ad-hoc aggregate over SeizureRecorded events in mt_events, same answer checked; RM: the read-model endpoint over HTTP on loopback)");
            return true;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static string Row(int size, string name, List<double> rm, List<double> sql)
    {
        double P(List<double> values, double p) => Bench.Percentile(values, p);
        return $"{size,10:N0} {name,-32}{P(rm, 0.5),9:F2}{P(rm, 0.95),9:F2}{P(sql, 0.5),9:F2}{P(sql, 0.95),9:F2}{P(sql, 0.5) / P(rm, 0.5),10:F1}x{P(sql, 0.95) / P(rm, 0.95),10:F1}x";
    }

    private static async Task<List<double>> TimeAsync(int count, Func<Task> action)
    {
        for (var i = 0; i < 3; i++) await action(); // warm-up
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static async Task<List<string>> SqlRowsAsync(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add($"{reader.GetString(0)}:{reader.GetInt32(1)}:{Tally.Canonical(reader.GetDecimal(2))}");
        return rows;
    }

    /// <summary>Appends <paramref name="count"/> SeizureRecorded events (one stream each) in sessions of <see cref="BatchSize"/>.</summary>
    private static async Task AppendAsync(IDocumentStore store, int count)
    {
        var random = new Random(20150101);
        var bishkek = TimeSpan.FromHours(6);
        var start = new DateTimeOffset(2013, 1, 1, 0, 0, 0, bishkek);
        var now = DateTimeOffset.UtcNow;
        for (var done = 0; done < count; done += BatchSize)
        {
            await using var session = store.LightweightSession();
            for (var i = done; i < Math.Min(count, done + BatchSize); i++)
            {
                var at = start.AddMinutes(random.Next(0, 3 * 365 * 24 * 60));
                var kg = random.Next(10) == 0;
                var quantity = new Quantity(kg ? Math.Round((decimal)random.NextDouble() * 5m + 0.001m, 3) : Math.Round((decimal)random.NextDouble() * 900m + 0.1m, 1), kg ? "kg" : "g");
                var agency = Agencies[random.Next(Agencies.Length)];
                var id = Guid.CreateVersion7(now);
                session.Events.StartStream<Seizure>(id, new SeizureRecorded(id, agency, $"{agency}-{at.Year}-{i + 1:D6}", Facilities[random.Next(Facilities.Length)],
                    at, DateOnly.FromDateTime(at.DateTime), "Asia/Bishkek", Substances[random.Next(Substances.Length)], quantity,
                    Detections[random.Next(Detections.Length)], null, "bench", now, Circumstances: new Circumstances(null, Entries[random.Next(Entries.Length)], null, null),
                    Oblast: "KG-C"));
            }
            await session.SaveChangesAsync();
        }
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-analytics: {message}");
        return false;
    }
}
