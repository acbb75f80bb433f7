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
    public string SizesFlag { get; set; } = "10000,1000000";

    [Description("Timed requests of each kind per size")]
    public int RequestsFlag { get; set; } = 50;

    [Description("PostgreSQL schema to run in; its data is deleted first, so it must not be the node's configured schema")]
    public string SchemaFlag { get; set; } = "bench_analytics";
}

/// <summary>
/// Year summary, facility summary, comparison and single-filter trends served from the read models (year and facility
/// summaries, monthly roll-ups) against an ad-hoc SQL aggregate over the raw SeizureRecorded events giving the same
/// answer, at each size. Set-up per size (not timed as the product's speed): the seizures' events are bulk-loaded by COPY
/// and the read models built by <c>read-models rebuild</c> (<see cref="LedgerRebuild"/>); then both paths are checked to
/// agree and each is timed. Prints p50/p95 per size, the ad-hoc/read-model ratio and, per query, p95 at the largest size
/// over p95 at the smallest (issue 16, point 3: at most 1.5× from 10k to 1M, and at least 100× faster than ad hoc).
/// </summary>
[Description("p50/p95 of year summary, facility summary, compare and trends against ad-hoc SQL over mt_events, per size", Name = "bench-analytics")]
public sealed partial class BenchAnalyticsCommand : JasperFxAsyncCommand<BenchAnalyticsInput>
{
    private const string TrendsUrl = "/api/trends?from=2014-01&to=2015-12&granularity=month&facility=SIZO-1";
    private static readonly string TrendsSql = TrendSql("facilityId", "SIZO-1");
    private const string TrendsSubstanceUrl = "/api/trends?from=2014-01&to=2015-12&granularity=month&substance=heroin";
    private static readonly string TrendsSubstanceSql = TrendSql("substance", "heroin");

    /// <summary>The monthly series of 2014–2015 for one value of one field, ad hoc over the events ({0}: the schema).</summary>
    private static string TrendSql(string field, string value) => $$"""
        select to_char((data->>'localDate')::date, 'YYYY-MM') as period, count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and data->>'{{field}}' = '{{value}}'
          and (data->>'localDate')::date between date '2014-01-01' and date '2015-12-31'
        group by 1 order by 1
        """;
    private const string YearUrl = "/api/years/2015/summary";
    // The same breakdowns as the year summary (total, substance, agency, facility, detection, entry, month) in one scan.
    private const string YearSql = """
        select case when grouping(data->>'substance') = 0 then 'substance/' || (data->>'substance')
                    when grouping(data->>'agency') = 0 then 'agency/' || (data->>'agency')
                    when grouping(data->>'facilityId') = 0 then 'facility/' || (data->>'facilityId')
                    when grouping(data->>'detection') = 0 then 'detection/' || (data->>'detection')
                    when grouping(data->'circumstances'->>'entry') = 0 then 'entry/' || (data->'circumstances'->>'entry')
                    when grouping(extract(month from (data->>'localDate')::date)) = 0 then 'month/' || extract(month from (data->>'localDate')::date)::int::text
                    else 'total' end,
               count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and (data->>'localDate')::date between date '2015-01-01' and date '2015-12-31'
        group by grouping sets ((), (data->>'substance'), (data->>'agency'), (data->>'facilityId'), (data->>'detection'),
                                (data->'circumstances'->>'entry'), (extract(month from (data->>'localDate')::date)))
        """;
    private const string FacilityUrl = "/api/facilities/SIZO-1/summary";
    private const string FacilitySql = """
        select case when grouping(data->>'substance') = 0 then 'substance/' || (data->>'substance')
                    when grouping(data->>'detection') = 0 then 'detection/' || (data->>'detection') else 'total' end,
               count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and data->>'facilityId' = 'SIZO-1'
        group by grouping sets ((), (data->>'substance'), (data->>'detection'))
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
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase))
            return Fail($"--schema '{schema}' is this node's own schema; the benchmark deletes all data in its schema");
        // No daemon: the read models are built by read-models rebuild after each bulk load, and nothing else writes.
        var (host, httpClient) = await Bench.StartNodeAsync([.. Bench.ScratchNode(configured, schema), "--SeizureIntel:RunDaemon=false"]);
        Console.WriteLine($"bench-analytics: {Environment.ProcessorCount} cores, load average {BenchRebuildCommand.LoadAverage()}; sizes {string.Join(", ", sizes.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))}, {input.RequestsFlag} timed requests each");
        await using var _ = host;
        var store = host.Services.GetRequiredService<IDocumentStore>();
        try
        {
            var data = host.Services.GetRequiredService<NpgsqlDataSource>();
            using var http = httpClient;
            var table = new List<string>();
            var results = new List<(int Size, string Name, List<double> Rm, List<double> Sql)>();
            foreach (var size in sizes)
            {
                await host.ResetAllMartenDataAsync();
                await using (var truncate = data.CreateCommand($"truncate {schema}.{ReferenceAllocator.TableName}")) await truncate.ExecuteNonQueryAsync();

                var sw = Stopwatch.StartNew();
                var (streams, _) = BenchData.Generate(store, size, mixed: false, seed: 20150101);
                await BenchData.LoadAsync(store, streams);
                streams.Clear();
                var loaded = sw.Elapsed;
                var outcome = await ActivatorUtilities.CreateInstance<LedgerRebuild>(host.Services).RunAsync(null, whileServing: false, CancellationToken.None);
                Console.WriteLine($"bench-analytics: {size:N0} seizures loaded by COPY in {loaded.TotalSeconds:F1} s; {SeizureIntel.Intelligence.Ledger.RebuildCommand.Describe(outcome)}");
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

                var substanceRows = (await http.GetFromJsonAsync<JsonElement>(TrendsSubstanceUrl)).GetProperty("series").EnumerateArray()
                    .Where(p => p.GetProperty("count").GetInt32() > 0)
                    .Select(p => $"{p.GetProperty("period").GetString()}:{p.GetProperty("count").GetInt32()}:{Tally.Canonical(p.GetProperty("grams").GetDecimal())}").ToList();
                if (!substanceRows.SequenceEqual(await SqlRowsAsync(data, string.Format(TrendsSubstanceSql, schema))))
                    return Fail($"trends by substance and SQL disagree at {size}");
                var year = await http.GetFromJsonAsync<JsonElement>(YearUrl);
                var yearRows = Breakdown(year, ("bySubstance", "substance", "substance"), ("byAgency", "agency", "agency"), ("byFacility", "facility", "facilityId"),
                    ("byDetection", "detection", "detection"), ("byEntry", "entry", "entry"), ("byMonth", "month", "month"));
                if (!yearRows.SequenceEqual((await SqlRowsAsync(data, string.Format(YearSql, schema))).Order(StringComparer.Ordinal)))
                    return Fail($"year summary and SQL disagree at {size}: {string.Join(" ", yearRows.Take(3))}");
                var facility = await http.GetFromJsonAsync<JsonElement>(FacilityUrl);
                var facilityRows = Breakdown(facility, ("bySubstance", "substance", "substance"), ("byDetection", "detection", "detection"));
                if (!facilityRows.SequenceEqual((await SqlRowsAsync(data, string.Format(FacilitySql, schema))).Order(StringComparer.Ordinal)))
                    return Fail($"facility summary and SQL disagree at {size}: {string.Join(" ", facilityRows.Take(3))}");

                foreach (var (name, url, sql) in Queries)
                {
                    var rm = await TimeAsync(input.RequestsFlag, () => http.GetStringAsync(url));
                    // At 500,000 and above each ad-hoc scan takes seconds: 5 timed runs after 1 warm-up.
                    var large = size >= 500_000;
                    var adHoc = await TimeAsync(large ? Math.Min(5, input.RequestsFlag) : input.RequestsFlag, () => SqlRowsAsync(data, string.Format(sql, schema)),
                        warmUps: large ? 1 : 3);
                    results.Add((size, name, rm, adHoc));
                    table.Add(Row(size, name, rm, adHoc));
                    Console.WriteLine(table[^1]);
                }
            }

            Console.WriteLine();
            Console.WriteLine($"{"seizures",10} {"request",-32}{"p50 ms",9}{"p95 ms",9}{"SQL p50",9}{"SQL p95",9}{"SQL/RM p50",11}{"SQL/RM p95",11}");
            foreach (var line in table) Console.WriteLine(line);
            Console.WriteLine("(SQL: ad-hoc aggregate over SeizureRecorded events in mt_events, same answer checked, 5 timed runs after 1 warm-up at 500,000 and above; RM: the read-model endpoint over HTTP on loopback)");
            if (sizes.Count > 1)
            {
                int small = sizes.Min(), large = sizes.Max();
                Console.WriteLine();
                Console.WriteLine($"{"request",-32}{$"p95 {small:N0}",14}{$"p95 {large:N0}",16}{"growth",9}{"SQL/RM p95",12}   goal: growth <= 1.5x, SQL/RM >= 100x");
                foreach (var (name, _, _) in Queries)
                {
                    var a = results.Single(r => r.Size == small && r.Name == name);
                    var b = results.Single(r => r.Size == large && r.Name == name);
                    double p95a = Bench.Percentile(a.Rm, 0.95), p95b = Bench.Percentile(b.Rm, 0.95);
                    var ratio = Bench.Percentile(b.Sql, 0.95) / p95b;
                    Console.WriteLine($"{name,-32}{p95a,14:F2}{p95b,16:F2}{p95b / p95a,8:F2}x{ratio,11:F0}x   {(p95b / p95a <= 1.5 && ratio >= 100 ? "met" : "NOT met")}");
                }
            }
            Console.WriteLine($"load average at the end: {BenchRebuildCommand.LoadAverage()}");
            return true;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static readonly (string Name, string Url, string Sql)[] Queries =
    [
        ("year summary", YearUrl, YearSql),
        ("facility summary", FacilityUrl, FacilitySql),
        ("compare (by substance)", CompareUrl, CompareSql),
        ("trends (facility=)", TrendsUrl, TrendsSql),
        ("trends (substance=)", TrendsSubstanceUrl, TrendsSubstanceSql),
    ];

    /// <summary>A summary's total and breakdown rows as "dimension/key:count:grams", sorted, for comparison with the SQL's.</summary>
    private static List<string> Breakdown(JsonElement summary, params (string Property, string Dimension, string Key)[] parts)
    {
        var rows = new List<string> { $"total:{summary.GetProperty("count").GetInt32()}:{Tally.Canonical(summary.GetProperty("grams").GetDecimal())}" };
        foreach (var (property, dimension, key) in parts)
            foreach (var r in summary.GetProperty(property).EnumerateArray())
            {
                var k = r.GetProperty(key);
                rows.Add($"{dimension}/{(k.ValueKind == JsonValueKind.Number ? k.GetInt32().ToString(CultureInfo.InvariantCulture) : k.GetString())}:" +
                         $"{r.GetProperty("count").GetInt32()}:{Tally.Canonical(r.GetProperty("grams").GetDecimal())}");
            }
        return rows.Order(StringComparer.Ordinal).ToList();
    }

    private static string Row(int size, string name, List<double> rm, List<double> sql)
    {
        double P(List<double> values, double p) => Bench.Percentile(values, p);
        return $"{size,10:N0} {name,-32}{P(rm, 0.5),9:F2}{P(rm, 0.95),9:F2}{P(sql, 0.5),9:F2}{P(sql, 0.95),9:F2}{P(sql, 0.5) / P(rm, 0.5),10:F1}x{P(sql, 0.95) / P(rm, 0.95),10:F1}x";
    }

    private static async Task<List<double>> TimeAsync(int count, Func<Task> action, int warmUps = 3)
    {
        for (var i = 0; i < warmUps; i++) await action();
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

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-analytics: {message}");
        return false;
    }
}
