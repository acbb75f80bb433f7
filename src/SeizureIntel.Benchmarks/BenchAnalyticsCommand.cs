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

    [Description("Comma-separated requests to time: year,facility,compare,trend-facility,trend-substance (default all; every answer is checked anyway)")]
    public string QueriesFlag { get; set; } = "year,facility,compare,trend-facility,trend-substance";
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

    /// <summary>
    /// What the facility trend answers, ad hoc over the raw events ({0}: the schema): its monthly series (rows "2014-03"),
    /// the finds per detection method and month that its finds-per-effort table is made of (rows "2014-03/canine"), and the
    /// effort recorded per month and kind (rows "effort/2014-03/cell-searches": entries, amount).
    /// </summary>
    private const string FacilityTrendSql = """
        select case when grouping(data->>'detection') = 0 then to_char((data->>'localDate')::date, 'YYYY-MM') || '/' || (data->>'detection')
                    else to_char((data->>'localDate')::date, 'YYYY-MM') end,
               count(*)::int,
               sum(case data->'quantity'->>'unit' when 'kg' then (data->'quantity'->>'value')::numeric * 1000 else (data->'quantity'->>'value')::numeric end)
        from {0}.mt_events
        where type = 'seizure_recorded' and data->>'facilityId' = 'SIZO-1'
          and (data->>'localDate')::date between date '2014-01-01' and date '2015-12-31'
        group by grouping sets ((to_char((data->>'localDate')::date, 'YYYY-MM')), (to_char((data->>'localDate')::date, 'YYYY-MM'), data->>'detection'))
        union all
        select 'effort/' || to_char((data->'figures'->>'from')::date, 'YYYY-MM') || '/' || (data->'figures'->>'kind'), count(*)::int,
               sum((data->'figures'->>'amount')::numeric)
        from {0}.mt_events
        where type = 'effort_recorded' and data->'figures'->>'facility' = 'SIZO-1'
          and (data->'figures'->>'from')::date between date '2014-01-01' and date '2015-12-31'
        group by 1
        """;
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
        var timed = input.QueriesFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (timed.Count == 0 || timed.FirstOrDefault(q => Queries.All(k => k.Key != q)) is { } unknown)
            return Fail($"--queries names '{(timed.Count == 0 ? "" : timed.First(q => Queries.All(k => k.Key != q)))}', not one of {string.Join(",", Queries.Select(q => q.Key))}");

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
                // A facility logs its search effort month by month (a few months of some kinds missing, as in life): the
                // facility trend then carries its finds per effort, which the ad-hoc SQL must compute too.
                var effort = await http.PostAsJsonAsync("/api/effort/import", new { entries = EffortLog() });
                if (!effort.IsSuccessStatusCode) return Fail($"recording the effort log answered {(int)effort.StatusCode}: {await effort.Content.ReadAsStringAsync()}");
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
                var rateRows = RateRows(trends);
                var rateSql = RateRows(await SqlRowsAsync(data, string.Format(FacilityTrendSql, schema)));
                if (rateRows.Count == 0 || !rateRows.SequenceEqual(rateSql))
                    return Fail($"the facility trend's finds per effort and SQL disagree at {size}: {string.Join(" ", rateRows.Take(3))} vs {string.Join(" ", rateSql.Take(3))}");
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

                foreach (var (name, key, url, sql) in Queries)
                {
                    if (!timed.Contains(key)) continue;
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
                foreach (var (name, key, _, _) in Queries)
                {
                    if (!timed.Contains(key)) continue;
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

    private static readonly (string Name, string Key, string Url, string Sql)[] Queries =
    [
        ("year summary", "year", YearUrl, YearSql),
        ("facility summary", "facility", FacilityUrl, FacilitySql),
        ("compare (by substance)", "compare", CompareUrl, CompareSql),
        ("trends (facility=, with effort)", "trend-facility", TrendsUrl, FacilityTrendSql),
        ("trends (substance=)", "trend-substance", TrendsSubstanceUrl, TrendsSubstanceSql),
    ];

    /// <summary>Each effort kind and the detection method its finds are counted by (the method the README and the API describe).</summary>
    private static readonly (string Kind, string Detection)[] EffortKinds =
    [
        ("parcels-xrayed", "xray-parcel"), ("visitors-searched", "visitor-search"), ("cell-searches", "cell-search"),
        ("staff-searches", "body-search"), ("dog-team-hours", "canine"),
    ];

    /// <summary>SIZO-1's effort log of 2014–2015: one entry per month and kind, except where (month + kind) % 11 == 0.</summary>
    private static List<object> EffortLog()
    {
        var entries = new List<object>();
        for (var m = 0; m < 24; m++)
            for (var k = 0; k < EffortKinds.Length; k++)
                if ((m + k) % 11 != 0)
                    entries.Add(new { facilityId = "SIZO-1", kind = EffortKinds[k].Kind, month = $"{2014 + m / 12}-{m % 12 + 1:D2}", amount = 200 + (m * 37 + k * 101) % 900 });
        return entries;
    }

    /// <summary>
    /// The facility trend's monthly finds per effort as "month/kind:amount:finds:grams:allFinds:allGrams", one per month and
    /// kind with effort recorded, sorted.
    /// </summary>
    private static List<string> RateRows(JsonElement trend) =>
        trend.GetProperty("rates").GetProperty("periods").EnumerateArray()
            .SelectMany(p => p.GetProperty("kinds").EnumerateArray()
                .Where(k => k.GetProperty("amount").ValueKind == JsonValueKind.Number)
                .Select(k => $"{p.GetProperty("period").GetString()}/{k.GetProperty("kind").GetString()}:{Tally.Canonical(k.GetProperty("amount").GetDecimal())}:" +
                             $"{k.GetProperty("finds").GetInt32()}:{Tally.Canonical(k.GetProperty("grams").GetDecimal())}:" +
                             $"{k.GetProperty("allFinds").GetInt32()}:{Tally.Canonical(k.GetProperty("allGrams").GetDecimal())}"))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The same rows computed from <see cref="FacilityTrendSql"/>'s: per month with effort of a kind, its amount, the finds of the kind's method and all finds.</summary>
    private static List<string> RateRows(List<string> sql)
    {
        var rows = sql.Select(r => r.Split(':')).ToDictionary(r => r[0], r => (Count: int.Parse(r[1], CultureInfo.InvariantCulture), Sum: decimal.Parse(r[2], CultureInfo.InvariantCulture)));
        var result = new List<string>();
        foreach (var (key, (_, amount)) in rows.Where(r => r.Key.StartsWith("effort/", StringComparison.Ordinal)))
        {
            var parts = key.Split('/');
            var (month, kind) = (parts[1], parts[2]);
            var detection = EffortKinds.Single(k => k.Kind == kind).Detection;
            var matched = rows.GetValueOrDefault($"{month}/{detection}");
            var all = rows.GetValueOrDefault(month);
            result.Add($"{month}/{kind}:{Tally.Canonical(amount)}:{matched.Count}:{Tally.Canonical(matched.Sum)}:{all.Count}:{Tally.Canonical(all.Sum)}");
        }
        return result.Order(StringComparer.Ordinal).ToList();
    }

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
