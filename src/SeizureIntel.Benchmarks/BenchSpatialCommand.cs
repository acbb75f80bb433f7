using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using JasperFx.CommandLine;
using Npgsql;
using NpgsqlTypes;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Node;

namespace SeizureIntel.Benchmarks;

public sealed class BenchSpatialInput : NetCoreInput
{
    [Description("Comma-separated numbers of generated seizures, e.g. 10000,100000")]
    public string SizesFlag { get; set; } = "10000";

    [Description("Timed runs of each query per size")]
    public int RunsFlag { get; set; } = 30;

    [Description("Comma-separated queries to time: near,nnh,kde,within,grid (default all)")]
    public string QueriesFlag { get; set; } = "near,nnh,kde,within,grid";

    [Description("Timed runs of the ad-hoc NNH clustering after its warm-up (ST_ClusterDBSCAN takes minutes at 1M; 0: the one run is the figure); the product's runs stay --runs / 3")]
    public int AdhocRunsFlag { get; set; } = 1_000;

    [Description("Scratch PostgreSQL schema (dropped and recreated); never the node's own schema")]
    public string SchemaFlag { get; set; } = "bench_spatial";
}

/// <summary>
/// The spatial queries on generated data: N seizure points across Kyrgyzstan (70 % around 40 hot spots, 30 % spread
/// over the country, 5 % voided) are copied into a scratch schema as raw JSON records (shaped like the events' data)
/// and as rows of the seizure-locations table with its GIST index. p50/p95 of the product's near and NNH hot-spot
/// queries (the code behind the endpoints, GeoJSON serialisation included) next to ad-hoc SQL over the raw JSON giving
/// the same answer (PostGIS ST_DWithin on geography; ST_ClusterDBSCAN with minpoints 1, i.e. single linkage, in UTM 43N;
/// ST_Intersects with the oblast's polygon; the grid's cell arithmetic written out again).
/// </summary>
[Description("p50/p95 of near, within and hotspots (nnh, grid) against ad-hoc SQL over the raw data", Name = "bench-spatial")]
public sealed partial class BenchSpatialCommand : JasperFxAsyncCommand<BenchSpatialInput>
{
    private const double RadiusKm = 10, ThresholdKm = 1, CellKm = 10;
    private const int MinPoints = 5;
    private const double KdeCellKm = 2, KdeBandwidthKm = 3;
    private const string WithinOblast = "KG-C";

    public override async Task<bool> Execute(BenchSpatialInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");
        var sizes = new List<int>();
        foreach (var part in input.SizesFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0) sizes.Add(n);
            else return Fail($"--sizes: '{part}' is not a positive whole number");
        if (input.RunsFlag < 1) return Fail("--runs must be at least 1");

        using var host = input.BuildHost();
        var node = host.Services.GetRequiredService<NodeOptions>();
        if (string.Equals(schema, node.Schema, StringComparison.OrdinalIgnoreCase)) return Fail($"--schema '{schema}' is this node's own schema");
        var db = host.Services.GetRequiredService<NpgsqlDataSource>();
        var oblasts = host.Services.GetRequiredService<Oblasts>();
        var json = new JsonSerializerOptions();
        NodeSetup.ConfigureJson(json);

        Console.WriteLine($"bench-spatial: schema '{schema}', {input.RunsFlag} runs a query; near: radius {RadiusKm} km; nnh: threshold {ThresholdKm} km, minPoints {MinPoints}");
        Console.WriteLine();
        Console.WriteLine("| seizures | query | product p50 ms | p95 | ad-hoc SQL p50 ms | p95 | ratio of p50 (ad-hoc / product) | same answer |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        var exact = true;
        var queries = input.QueriesFlag.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        foreach (var size in sizes)
        {
            var centres = await GenerateAsync(db, schema, oblasts, size);
            var random = new Random(size);
            var probes = Enumerable.Range(0, input.RunsFlag).Select(_ => centres[random.Next(centres.Count)]).ToList();

            var same = true;
            var (product, adhoc) = (new List<double>(), new List<double>());
            var index = new HotspotIndex(db, schema);
            var loading = Stopwatch.StartNew();
            await index.RefreshAsync(CancellationToken.None);
            Console.Error.WriteLine($"  {size}: hot-spot index loaded in {loading.Elapsed.TotalMilliseconds:F0} ms (once per process)");

            // near: the product's query over the table, and the raw JSON scanned with the same geodesic test.
            if (queries.Contains("near"))
            {
            foreach (var (lat, lon) in probes.Prepend(probes[0])) // the first run warms up and is not counted
            {
                var clock = Stopwatch.StartNew();
                var features = await SeizuresNearWithinEndpoints.NearAsync(db, schema, lat, lon, RadiusKm, null, null, CancellationToken.None);
                _ = JsonSerializer.Serialize(features, json);
                var productMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var ids = await AdHocNearAsync(db, schema, lat, lon);
                var adhocMs = clock.Elapsed.TotalMilliseconds;
                same &= ids.SequenceEqual(features.Select(f => Guid.Parse((string)f.Attributes["seizureId"])));
                product.Add(productMs);
                adhoc.Add(adhocMs);
            }
            Row(size, $"near ({RadiusKm} km)", product.Skip(1).ToList(), adhoc.Skip(1).ToList(), same);

            }

            // hotspots (nnh): clusters of at least MinPoints seizures linked within ThresholdKm.
            if (queries.Contains("nnh"))
            {
            same = true;
            (product, adhoc) = (new List<double>(), new List<double>());
            var cpu = new List<double>();
            for (var run = 0; run <= Math.Max(1, input.RunsFlag / 3); run++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var points = await index.PointsAsync(null, null, null, CancellationToken.None);
                var tPoints = clock.Elapsed.TotalMilliseconds;
                var clusters = Nnh.Clusters(points, ThresholdKm, MinPoints, 1);
                var tClusters = clock.Elapsed.TotalMilliseconds;
                var collection = HotspotsEndpoint.Features(clusters);
                var tFeatures = clock.Elapsed.TotalMilliseconds;
                // As the endpoint writes it: UTF-8 into the response stream, not one string of tens of megabytes.
                await JsonSerializer.SerializeAsync(Stream.Null, collection, json);
                product.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                if (run == 1) Console.Error.WriteLine($"  {size}: nnh points {tPoints:F0} ms, clusters +{tClusters - tPoints:F0}, features +{tFeatures - tClusters:F0}, JSON +{product[^1] - tFeatures:F0}");
                if (run == 0)
                {
                    // Exactness: the same clusters as the all-pairs-within-adjacent-cells reference on the sphere.
                    var reference = PairwiseComponents(points.Select(p => (p.Lat, p.Lon)).ToList(), ThresholdKm)
                        .Where(c => c.Count >= MinPoints).Select(c => string.Join(",", c.Select(i => points[i].Id).Order())).Order().ToList();
                    var mine = clusters.Select(c => string.Join(",", c.Members.Select(m => m.Id).Order())).Order().ToList();
                    Console.Error.WriteLine($"  {size}: nnh clusters identical to the pairwise reference: {(reference.SequenceEqual(mine) ? "yes" : "NO")}");
                    exact &= reference.SequenceEqual(mine);
                }
                // The ad-hoc clustering takes minutes at a million: --adhoc-runs of it (after its warm-up) are enough.
                if (run > input.AdhocRunsFlag) continue;
                clock.Restart();
                var (count, members) = await AdHocClustersAsync(db, schema);
                adhoc.Add(clock.Elapsed.TotalMilliseconds);
                // UTM 43N stretches distances by up to ~0.1 % across the country: a pair right at the threshold may differ.
                same &= count == clusters.Count && members == clusters.Sum(c => c.Members.Count);
                if (run == 0) Console.Error.WriteLine($"  {size}: nnh {clusters.Count} clusters / {clusters.Sum(c => c.Members.Count)} seizures; ad-hoc {count} / {members}");
            }
            // With --adhoc-runs 0 the ad-hoc clustering runs once, and that run is its figure.
            Row(size, $"hotspots nnh ({ThresholdKm} km, ≥{MinPoints})", product.Skip(1).ToList(), (adhoc.Count > 1 ? adhoc.Skip(1) : adhoc).ToList(), same);
            CpuLine(size, "nnh", product.Skip(1).ToList(), cpu.Skip(1).ToList());

            }

            // hotspots (kde): quartic kernel density on the 1 km grid, bandwidth 2 km, against the same sums in SQL.
            if (queries.Contains("kde"))
            {
            (product, adhoc) = (new List<double>(), new List<double>());
            var cpu = new List<double>();
            for (var run = 0; run <= Math.Max(1, input.RunsFlag / 3); run++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var points = await index.PointsAsync(null, null, null, CancellationToken.None);
                var tPoints = clock.Elapsed.TotalMilliseconds;
                var raster = KernelDensity.Raster(points, KdeCellKm, KdeBandwidthKm);
                var tRaster = clock.Elapsed.TotalMilliseconds;
                await JsonSerializer.SerializeAsync(Stream.Null, KernelDensity.Features(raster, KdeCellKm), json);
                product.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                if (run == 1) Console.Error.WriteLine($"  {size}: kde points {tPoints:F0} ms, raster +{tRaster - tPoints:F0}, features and JSON +{product[^1] - tRaster:F0}");
                if (run == 0) Console.Error.WriteLine($"  {size}: kde {raster.Count} cells, densest {raster[0].Seizures:F1} seizures/km²");
            }
            var kde = product.Skip(1).ToList();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "| {0:N0} | hotspots kde ({1} km cells, bandwidth {2} km) | {3:F1} | {4:F1} | — | — | — | — |",
                size, KdeCellKm, KdeBandwidthKm, Bench.Percentile(kde, 0.5), Bench.Percentile(kde, 0.95)));
            CpuLine(size, "kde", kde, cpu.Skip(1).ToList());

            }

            // within an oblast: the product's GIST-indexed ST_Intersects against the oblast's polygon over the raw JSON.
            if (queries.Contains("within"))
            {
            var area = oblasts.Find(WithinOblast)!.Geometry;
            same = true;
            (product, adhoc) = (new List<double>(), new List<double>());
            for (var run = 0; run <= Math.Max(1, input.RunsFlag / 3); run++)
            {
                var clock = Stopwatch.StartNew();
                var features = await SeizuresNearWithinEndpoints.WithinAsync(db, schema, area, null, null, CancellationToken.None);
                _ = JsonSerializer.Serialize(features, json);
                product.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                var ids = await AdHocWithinAsync(db, schema, area);
                adhoc.Add(clock.Elapsed.TotalMilliseconds);
                same &= ids.Order().SequenceEqual(features.Select(f => Guid.Parse((string)f.Attributes["seizureId"])).Order());
                if (run == 0) Console.Error.WriteLine($"  {size}: within {WithinOblast} {features.Count} seizures; ad-hoc {ids.Count}");
            }
            Row(size, $"within {WithinOblast}", product.Skip(1).ToList(), adhoc.Skip(1).ToList(), same);

            }

            // hotspots (grid): counts per cell of about CellKm × CellKm, the same cell arithmetic over the raw JSON.
            if (queries.Contains("grid"))
            {
            same = true;
            (product, adhoc) = (new List<double>(), new List<double>());
            for (var run = 0; run <= Math.Max(1, input.RunsFlag / 3); run++)
            {
                var clock = Stopwatch.StartNew();
                var cells = await HotspotsEndpoint.GridAsync(db, schema, null, null, null, CellKm, CancellationToken.None);
                _ = JsonSerializer.Serialize(cells, json);
                product.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                var raw = await AdHocGridAsync(db, schema);
                adhoc.Add(clock.Elapsed.TotalMilliseconds);
                same &= raw.SequenceEqual(cells.Select(c => ((long)c.Attributes["row"], (long)c.Attributes["column"], (int)c.Attributes["count"]))
                    .Order());
            }
            Row(size, $"hotspots grid ({CellKm} km)", product.Skip(1).ToList(), adhoc.Skip(1).ToList(), same);
            }
        }
        await using (var drop = db.CreateCommand($"drop schema if exists {schema} cascade")) await drop.ExecuteNonQueryAsync();
        Console.WriteLine();
        foreach (var line in CpuLines) Console.WriteLine(line);
        return exact;
    }

    /// <summary>
    /// On a shared machine the wall time measures the machine's load as much as the work: the process's CPU time over the
    /// same runs (every thread, the GC's included) is what the work costs; on an idle machine of c cores the wall time of a
    /// request lies between that CPU time divided by c and the CPU time itself.
    /// </summary>
    private static void CpuLine(int size, string query, List<double> wall, List<double> cpu) =>
        CpuLines.Add(string.Format(CultureInfo.InvariantCulture,
            "  {0:N0} {1}: process CPU time p50 {2:F0} ms, p95 {3:F0} ms a request ({4} cores; wall p50 {5:F0} ms, load average {6})",
            size, query, Bench.Percentile(cpu, 0.5), Bench.Percentile(cpu, 0.95), Environment.ProcessorCount, Bench.Percentile(wall, 0.5),
            File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?"));

    private static readonly List<string> CpuLines = [];

    private static void Row(int size, string query, List<double> product, List<double> adhoc, bool same)
    {
        double P(List<double> xs, double q) => Bench.Percentile(xs, q);
        var f = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Format(f, "| {0:N0} | {1} | {2:F1} | {3:F1} | {4:F1} | {5:F1} | {6:F1}× | {7} |",
            size, query, P(product, 0.5), P(product, 0.95), P(adhoc, 0.5), P(adhoc, 0.95), P(adhoc, 0.5) / P(product, 0.5), same ? "yes" : "no"));
    }

    /// <summary>Creates the scratch schema with both tables and fills them; returns the hot-spot centres.</summary>
    private static async Task<List<(double Lat, double Lon)>> GenerateAsync(NpgsqlDataSource db, string schema, Oblasts oblasts, int size)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(20151231);
        (double Lat, double Lon) Anywhere()
        {
            while (true)
            {
                var (lat, lon) = (39.2 + random.NextDouble() * 4.1, 69.2 + random.NextDouble() * 11.1);
                if (oblasts.IsInKyrgyzstan(lat, lon)) return (lat, lon);
            }
        }
        var centres = Enumerable.Range(0, 40).Select(_ => Anywhere()).ToList();
        string[] substances = ["heroin", "cannabis-herb", "cannabis-resin", "opium", "methamphetamine"];

        await using (var ddl = db.CreateCommand(
                         $"""
                          drop schema if exists {schema} cascade; create schema {schema};
                          create table {schema}.raw_seizures (id uuid primary key, data jsonb not null);
                          {SeizureLocations.Table(schema).ToBasicCreateTableSql()}
                          """))
            await ddl.ExecuteNonQueryAsync();

        await using (var connection = await db.OpenConnectionAsync())
        await using (var writer = await connection.BeginBinaryImportAsync($"copy {schema}.raw_seizures (id, data) from stdin (format binary)"))
        {
            for (var i = 0; i < size; i++)
            {
                double lat, lon;
                if (random.NextDouble() < 0.7)
                {
                    // Around a hot spot: a normal spread of about 2 km, kept inside the country.
                    var (cLat, cLon) = centres[random.Next(centres.Count)];
                    do
                    {
                        var r = 2.0 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
                        var a = random.NextDouble() * 2 * Math.PI;
                        (lat, lon) = (cLat + r * Math.Sin(a) / 111.0, cLon + r * Math.Cos(a) / (111.0 * Math.Cos(cLat * Math.PI / 180)));
                    } while (!oblasts.IsInKyrgyzstan(lat, lon));
                }
                else (lat, lon) = Anywhere();
                var date = new DateOnly(2014, 1, 1).AddDays(random.Next(730));
                var data = JsonSerializer.Serialize(new
                {
                    location = new { lat, lon },
                    substance = substances[random.Next(substances.Length)],
                    localDate = date,
                    quantity = new { value = Math.Round((decimal)random.NextDouble() * 999m + 0.1m, 2), unit = "g" },
                    voided = random.NextDouble() < 0.05,
                });
                await writer.StartRowAsync();
                await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await writer.WriteAsync(data, NpgsqlDbType.Jsonb);
            }
            await writer.CompleteAsync();
        }
        await using (var fill = db.CreateCommand(
                         $"""
                          insert into {schema}.{SeizureLocations.TableName} (seizure_id, geom, precision, agency, oblast, substance, substance_group,
                            detection, local_date, occurred_at, grams, lab_confirmed_grams, counted)
                          select id, ST_SetSRID(ST_MakePoint((data->'location'->>'lon')::float8, (data->'location'->>'lat')::float8), 4326), 'exact',
                            'SSEP', null, data->>'substance', 'other', 'intelligence-led', (data->>'localDate')::date,
                            (data->>'localDate')::date::timestamptz, (data->'quantity'->>'value')::numeric, null, not (data->>'voided')::boolean
                          from {schema}.raw_seizures;
                          create index on {schema}.{SeizureLocations.TableName} using gist (geom);
                          analyze {schema}.raw_seizures; analyze {schema}.{SeizureLocations.TableName};
                          """))
        {
            fill.CommandTimeout = 600;
            await fill.ExecuteNonQueryAsync();
        }
        Console.Error.WriteLine($"  generated {size:N0} seizures in {clock.Elapsed.TotalSeconds:F1} s");
        return centres;
    }

    private static async Task<List<Guid>> AdHocNearAsync(NpgsqlDataSource db, string schema, double lat, double lon)
    {
        await using var command = db.CreateCommand(
            $"""
             with here as (select ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography as g),
             raw as (select id, ST_SetSRID(ST_MakePoint((data->'location'->>'lon')::float8, (data->'location'->>'lat')::float8), 4326)::geography as g
                     from {schema}.raw_seizures where not (data->>'voided')::boolean)
             select id from raw, here where ST_DWithin(raw.g, here.g, @meters) order by ST_Distance(raw.g, here.g), id
             """);
        command.Parameters.AddWithValue("lat", lat);
        command.Parameters.AddWithValue("lon", lon);
        command.Parameters.AddWithValue("meters", RadiusKm * 1000);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    private static async Task<List<Guid>> AdHocWithinAsync(NpgsqlDataSource db, string schema, NetTopologySuite.Geometries.Geometry area)
    {
        await using var command = db.CreateCommand(
            $"""
             select id from {schema}.raw_seizures
             where not (data->>'voided')::boolean
               and ST_Intersects(ST_SetSRID(ST_MakePoint((data->'location'->>'lon')::float8, (data->'location'->>'lat')::float8), 4326), @area)
             """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("area", area);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>The grid's cells written out again over the raw JSON: rows of equal latitude, columns narrowing with latitude.</summary>
    private static async Task<List<(long Row, long Column, int Count)>> AdHocGridAsync(NpgsqlDataSource db, string schema)
    {
        await using var command = db.CreateCommand(
            $"""
             with p as (
               select (data->'location'->>'lat')::float8 as lat, (data->'location'->>'lon')::float8 as lon
               from {schema}.raw_seizures where not (data->>'voided')::boolean),
             c as (select floor(lat / (@cell / 111.32))::bigint as r, lon from p)
             select r, floor(lon / (@cell / (111.32 * cos(radians((r + 0.5) * (@cell / 111.32))))))::bigint, count(*)::int
             from c group by 1, 2 order by 1, 2
             """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("cell", CellKm);
        var cells = new List<(long, long, int)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) cells.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2)));
        return cells;
    }

    private static async Task<(int Clusters, int Members)> AdHocClustersAsync(NpgsqlDataSource db, string schema)
    {
        await using var command = db.CreateCommand(
            $"""
             with c as (
               select ST_ClusterDBSCAN(ST_Transform(ST_SetSRID(ST_MakePoint((data->'location'->>'lon')::float8,
                        (data->'location'->>'lat')::float8), 4326), 32643), eps := @meters, minpoints := 1) over () as cluster
               from {schema}.raw_seizures where not (data->>'voided')::boolean),
             k as (select cluster, count(*) as n from c group by cluster having count(*) >= @min)
             select count(*)::int, coalesce(sum(n), 0)::int from k
             """);
        command.CommandTimeout = 600;
        command.Parameters.AddWithValue("meters", ThresholdKm * 1000);
        command.Parameters.AddWithValue("min", (long)MinPoints);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    /// <summary>The reference single linkage: a grid hash of threshold-wide cells, every pair in adjacent cells measured.</summary>
    private static List<List<int>> PairwiseComponents(IReadOnlyList<(double Lat, double Lon)> points, double thresholdKm)
    {
        var parent = Enumerable.Range(0, points.Count).ToArray();
        int Find(int i)
        {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        }
        var maxAbsLat = Math.Min(89.0, points.Max(p => Math.Abs(p.Lat)));
        var cellLat = thresholdKm / 110.0;
        var cellLon = Math.Min(360, thresholdKm / (111.0 * Math.Cos(maxAbsLat * Math.PI / 180)));
        var cells = new Dictionary<(long, long), List<int>>();
        for (var i = 0; i < points.Count; i++)
        {
            var key = ((long)Math.Floor(points[i].Lat / cellLat), (long)Math.Floor(points[i].Lon / cellLon));
            if (!cells.TryGetValue(key, out var list)) cells[key] = list = [];
            list.Add(i);
        }
        foreach (var ((row, col), members) in cells)
        for (var dr = -1; dr <= 1; dr++)
        for (var dc = -1; dc <= 1; dc++)
        {
            if (!cells.TryGetValue((row + dr, col + dc), out var others)) continue;
            foreach (var i in members)
            foreach (var j in others)
            {
                if (j <= i || Find(i) == Find(j)) continue;
                if (Nnh.DistanceKm(points[i].Lat, points[i].Lon, points[j].Lat, points[j].Lon) <= thresholdKm) parent[Find(i)] = Find(j);
            }
        }
        return Enumerable.Range(0, points.Count).GroupBy(Find).Select(g => g.ToList()).ToList();
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-spatial: {message}");
        return false;
    }
}
