using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using Npgsql;
using SeizureIntel.Geography;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>A counted seizure's point as the clustering sees it.</summary>
public sealed record HotspotPoint(Guid Id, double Lat, double Lon, decimal? Grams, decimal? LabConfirmedGrams);

/// <summary>A cluster: its members (ordered by id), and for a second-order cluster the first-order clusters it joins.</summary>
public sealed record Cluster(int Order, IReadOnlyList<HotspotPoint> Members, int FirstOrderClusters)
{
    public double MeanLat => Members.Average(m => m.Lat);
    public double MeanLon => Members.Average(m => m.Lon);
}

/// <summary>
/// Nearest-neighbour hierarchical clustering after CrimeStat's NNH, with a fixed threshold distance: two seizures are
/// linked when their great-circle distance is at most the threshold, and a first-order cluster is a connected group of
/// linked seizures (single linkage) with at least minPoints members. Second-order clusters apply the same rule to the
/// first-order clusters' mean centres (at least minPoints clusters within the threshold of one another).
/// </summary>
public static class Nnh
{
    public const double EarthRadiusKm = 6371.0088;

    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        const double rad = Math.PI / 180;
        var a = Math.Pow(Math.Sin((lat2 - lat1) * rad / 2), 2)
                + Math.Cos(lat1 * rad) * Math.Cos(lat2 * rad) * Math.Pow(Math.Sin((lon2 - lon1) * rad / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    /// <summary>
    /// Groups of linked points (every group, any size), each ordered as the input. Points are bucketed in cells whose
    /// diagonal is shorter than the threshold everywhere in the data, so the points of one cell are linked and joined
    /// without measuring. Then pairs of cells up to two apart are joined as soon as one pair of their points is within
    /// the threshold: first the adjacent cells of every cell (which joins the cells of a dense hot spot), then the
    /// farther ones, each skipped when already joined or when their points' extents are farther apart than the threshold.
    /// </summary>
    public static List<List<int>> Components(IReadOnlyList<(double Lat, double Lon)> points, double thresholdKm)
    {
        var n = points.Count;
        var parent = new int[n];
        for (var i = 0; i < n; i++) parent[i] = i;
        int Find(int i)
        {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        }
        void Union(int a, int b)
        {
            a = Find(a);
            b = Find(b);
            if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b);
        }
        if (n > 0)
        {
            const double rad = Math.PI / 180, kmPerDegree = EarthRadiusKm * rad;
            double minLat = double.MaxValue, maxLat = double.MinValue;
            for (var i = 0; i < n; i++)
            {
                minLat = Math.Min(minLat, points[i].Lat);
                maxLat = Math.Max(maxLat, points[i].Lat);
            }
            var nearestEquator = minLat <= 0 && maxLat >= 0 ? 0 : Math.Min(Math.Abs(minLat), Math.Abs(maxLat));
            var farthest = Math.Min(89.0, Math.Max(Math.Abs(minLat), Math.Abs(maxLat)));
            var cosFarthest = Math.Cos(farthest * rad);
            // Sides of threshold/√2 (less 1 % for the sphere and rounding), measured where degrees are longest.
            var side = thresholdKm / Math.Sqrt(2) * 0.99;
            var cellLat = side / kmPerDegree;
            var cellLon = Math.Min(360, side / (kmPerDegree * Math.Cos(nearestEquator * rad)));
            // How many cells away a linked point can be, where cells are narrowest (with a margin for the great circle).
            var reachLat = (int)Math.Ceiling(thresholdKm / side * 1.001);
            var reachLon = (int)Math.Ceiling(thresholdKm * 1.01 / (cellLon * kmPerDegree * cosFarthest));

            var keys = new long[n];
            var order = new int[n];
            for (var i = 0; i < n; i++)
            {
                var row = (long)Math.Floor(points[i].Lat / cellLat);
                var col = (long)Math.Floor(points[i].Lon / cellLon);
                keys[i] = (row << 32) + (col & 0xFFFFFFFFL);
                order[i] = i;
            }
            Array.Sort(keys, order);
            // Runs of equal keys are cells: [starts[c], starts[c + 1]) in order, with their points' extent.
            var starts = new List<int>();
            var cellOf = new Dictionary<long, int>(CellKeys.Instance);
            for (var k = 0; k < n; k++)
                if (k == 0 || keys[k] != keys[k - 1])
                {
                    cellOf[keys[k]] = starts.Count;
                    starts.Add(k);
                }
            starts.Add(n);
            var cells = starts.Count - 1;
            var latS = new double[n];
            var lonS = new double[n];
            for (var k = 0; k < n; k++) (latS[k], lonS[k]) = points[order[k]];
            var candidates = new List<int>();
            var extent = new (double MinLat, double MaxLat, double MinLon, double MaxLon)[cells];
            for (var c = 0; c < cells; c++)
            {
                var e = (double.MaxValue, double.MinValue, double.MaxValue, double.MinValue);
                for (var k = starts[c]; k < starts[c + 1]; k++)
                {
                    var (lat, lon) = points[order[k]];
                    e = (Math.Min(e.Item1, lat), Math.Max(e.Item2, lat), Math.Min(e.Item3, lon), Math.Max(e.Item4, lon));
                    if (k > starts[c]) Union(order[starts[c]], order[k]);
                }
                extent[c] = e;
            }

            // A lower bound of the distance from a point to a cell's extent: never more than the great-circle distance.
            bool CanReach(double lat, double lon, int cell)
            {
                var e = extent[cell];
                var dLat = Math.Max(0, Math.Max(e.MinLat - lat, lat - e.MaxLat)) * kmPerDegree;
                var dLon = Math.Max(0, Math.Max(e.MinLon - lon, lon - e.MaxLon)) * kmPerDegree * cosFarthest * 0.99;
                return dLat <= thresholdKm && dLon <= thresholdKm;
            }

            void Join(int a, int b)
            {
                if (Find(order[starts[a]]) == Find(order[starts[b]])) return;
                var ea = extent[a];
                var eb = extent[b];
                if (Math.Max(0, Math.Max(ea.MinLat - eb.MaxLat, eb.MinLat - ea.MaxLat)) * kmPerDegree > thresholdKm
                    || Math.Max(0, Math.Max(ea.MinLon - eb.MaxLon, eb.MinLon - ea.MaxLon)) * kmPerDegree * cosFarthest * 0.99 > thresholdKm) return;
                // Only the points of each cell that can reach the other cell's extent are compared.
                candidates.Clear();
                for (var k = starts[b]; k < starts[b + 1]; k++)
                    if (CanReach(latS[k], lonS[k], a)) candidates.Add(k);
                if (candidates.Count == 0) return;
                for (var i = starts[a]; i < starts[a + 1]; i++)
                {
                    double lat = latS[i], lon = lonS[i];
                    if (!CanReach(lat, lon, b)) continue;
                    foreach (var k in candidates)
                    {
                        if (Math.Abs(lat - latS[k]) * kmPerDegree > thresholdKm || DistanceKm(lat, lon, latS[k], lonS[k]) > thresholdKm) continue;
                        Union(order[i], order[k]);
                        return;
                    }
                }
            }

            // Offsets to half the neighbouring cells (the other half see this cell), one offset at a time over all cells,
            // nearest first: after the two orthogonal passes the cells of a dense hot spot are one group, and the
            // diagonal and farther passes mostly find their pairs already joined.
            var offsets = new List<(int Row, int Col)>();
            for (var dr = 0; dr <= reachLat; dr++)
            for (var dc = -reachLon; dc <= reachLon; dc++)
                if (dr > 0 || dc > 0) offsets.Add((dr, dc));
            foreach (var (dr, dc) in offsets.OrderBy(o => o.Row * o.Row + o.Col * o.Col).ThenBy(o => o.Row).ThenBy(o => o.Col))
            {
                for (var c = 0; c < cells; c++)
                {
                    var key = keys[starts[c]];
                    long row = key >> 32, col = (int)(key & 0xFFFFFFFFL);
                    if (cellOf.TryGetValue(((row + dr) << 32) + ((col + dc) & 0xFFFFFFFFL), out var other)) Join(c, other);
                }
            }
        }
        var groups = new Dictionary<int, List<int>>();
        for (var i = 0; i < n; i++)
        {
            var root = Find(i);
            if (!groups.TryGetValue(root, out var group)) groups[root] = group = [];
            group.Add(i);
        }
        return groups.Values.ToList();
    }

    /// <summary>First-order clusters, then (orders = 2) second-order ones; largest first.</summary>
    public static List<Cluster> Clusters(IReadOnlyList<HotspotPoint> points, double thresholdKm, int minPoints, int orders)
    {
        // Each group lists its points in input order: already ordered by id when the input is (HotspotIndex.PointsAsync).
        var byId = true;
        for (var i = 1; i < points.Count && byId; i++) byId = points[i - 1].Id.CompareTo(points[i].Id) < 0;
        var first = Components(points.Select(p => (p.Lat, p.Lon)).ToList(), thresholdKm)
            .Where(c => c.Count >= minPoints)
            .Select(c =>
            {
                var members = new HotspotPoint[c.Count];
                for (var k = 0; k < members.Length; k++) members[k] = points[c[k]];
                if (!byId) Array.Sort(members, (a, b) => a.Id.CompareTo(b.Id));
                return new Cluster(1, members, 1);
            })
            .ToList();
        var result = Order(first);
        if (orders >= 2)
        {
            var second = Components(result.Select(c => (c.MeanLat, c.MeanLon)).ToList(), thresholdKm)
                .Where(c => c.Count >= minPoints)
                .Select(c => new Cluster(2, c.SelectMany(i => result[i].Members).OrderBy(p => p.Id).ToList(), c.Count))
                .ToList();
            result.AddRange(Order(second));
        }
        return result;
    }

    private static List<Cluster> Order(IEnumerable<Cluster> clusters) =>
        clusters.OrderByDescending(c => c.Members.Count).ThenByDescending(c => c.Members.Sum(m => m.Grams ?? 0)).ThenBy(c => c.Members[0].Id).ToList();
}

/// <summary>Grid cells of about cellKm × cellKm: rows of cellKm/111.32 degrees of latitude, each cut into columns of cellKm of longitude at the row's middle.</summary>
public static class HotspotGrid
{
    public const double KmPerDegree = 111.32;

    public static double RowHeight(double cellKm) => cellKm / KmPerDegree;

    public static double ColumnWidth(double cellKm, long row) =>
        cellKm / (KmPerDegree * Math.Cos((row + 0.5) * RowHeight(cellKm) * Math.PI / 180));

    public static Polygon Cell(double cellKm, long row, long column)
    {
        var south = row * RowHeight(cellKm);
        var north = (row + 1) * RowHeight(cellKm);
        var width = ColumnWidth(cellKm, row);
        var west = column * width;
        var east = (column + 1) * width;
        // Counter-clockwise exterior ring, as RFC 7946 §3.1.6 asks.
        return Wgs84.Factory.CreatePolygon([new(west, south), new(east, south), new(east, north), new(west, north), new(west, south)]);
    }
}

public static class HotspotsEndpoint
{
    /// <summary>
    /// Hot spots of counted seizures as a GeoJSON FeatureCollection. <c>method=nnh</c> (default): nearest-neighbour
    /// hierarchical clusters (CrimeStat's NNH with a fixed <c>thresholdKm</c> and <c>minPoints</c>, single linkage; with
    /// <c>orders=2</c> also second-order clusters of the first-order clusters' centres), each a convex hull with count,
    /// grams, labConfirmedGrams, mean centre and member ids. <c>method=grid&amp;cellKm=</c>: counts and grams per
    /// non-empty cell of about cellKm × cellKm. <c>method=kde&amp;cellKm=&amp;bandwidthKm=</c>: kernel density (quartic
    /// kernel) at the centre of each cell of the same grid, in seizures and grams per km², for every cell with a density.
    /// <c>from</c>/<c>to</c> (local dates) and <c>substance</c> filter the seizures.
    /// </summary>
    [WolverineGet("/api/hotspots", OperationId = "hotspots")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static async Task<Results<JsonHttpResult<FeatureCollection>, ProblemHttpResult>> Get(
        string? from, string? to, string? substance, string? method, string? thresholdKm, string? minPoints, string? orders, string? cellKm,
        string? bandwidthKm, ReferenceData reference, NpgsqlDataSource db, IDocumentStore store, HotspotIndex index, CancellationToken token)
    {
        var problems = new Problems();
        var (f, t) = SpatialQuery.Dates(problems, from, to);
        if (!string.IsNullOrWhiteSpace(substance))
        {
            if (reference.Find(ReferenceData.Substances, substance) is { } term) substance = term.Code;
            else problems.Fail("substance", $"'{substance}' is not a known code (see /api/reference/substances)");
        }
        var m = string.IsNullOrWhiteSpace(method) ? "nnh" : method.Trim().ToLowerInvariant();
        double? threshold = null, cell = null, bandwidth = null;
        int? min = null, levels = null;
        if (m == "nnh")
        {
            threshold = SpatialQuery.Number(problems, "thresholdKm", thresholdKm, 0.001, 500, required: true);
            min = SpatialQuery.Integer(problems, "minPoints", minPoints, 2, 1_000_000, fallback: 2);
            levels = SpatialQuery.Integer(problems, "orders", orders, 1, 2, fallback: 1);
            if (!string.IsNullOrWhiteSpace(cellKm)) problems.Fail("cellKm", "applies only to method=grid or kde");
            if (!string.IsNullOrWhiteSpace(bandwidthKm)) problems.Fail("bandwidthKm", "applies only to method=kde");
        }
        else if (m == "grid")
        {
            cell = SpatialQuery.Number(problems, "cellKm", cellKm, 0.1, 1000, required: true);
            foreach (var (name, value) in new[] { ("thresholdKm", thresholdKm), ("minPoints", minPoints), ("orders", orders) })
                if (!string.IsNullOrWhiteSpace(value)) problems.Fail(name, "applies only to method=nnh");
            if (!string.IsNullOrWhiteSpace(bandwidthKm)) problems.Fail("bandwidthKm", "applies only to method=kde");
        }
        else if (m == "kde")
        {
            cell = SpatialQuery.Number(problems, "cellKm", cellKm, 0.1, 1000, required: true);
            bandwidth = SpatialQuery.Number(problems, "bandwidthKm", bandwidthKm, 0.1, 1000, required: true);
            if (cell is { } c && bandwidth is { } b && b / c > KernelDensity.MaxBandwidthInCells)
                problems.Fail("bandwidthKm", $"may be at most {KernelDensity.MaxBandwidthInCells} cells (cellKm × {KernelDensity.MaxBandwidthInCells})");
            foreach (var (name, value) in new[] { ("thresholdKm", thresholdKm), ("minPoints", minPoints), ("orders", orders) })
                if (!string.IsNullOrWhiteSpace(value)) problems.Fail(name, "applies only to method=nnh");
        }
        else problems.Fail("method", $"'{method}' is not a method: nnh, grid or kde");
        if (problems.Any) return TypedResults.Problem(problems.Invalid(SpatialQuery.Title));

        var schema = store.Options.DatabaseSchemaName;
        var features = m switch
        {
            "nnh" => Features(Nnh.Clusters(await index.PointsAsync(f, t, substance, token), threshold!.Value, min!.Value, levels!.Value)),
            "kde" => KernelDensity.Features(KernelDensity.Raster(await index.PointsAsync(f, t, substance, token), cell!.Value, bandwidth!.Value), cell.Value),
            _ => await GridAsync(db, schema, f, t, substance, cell!.Value, token),
        };
        return TypedResults.Json(features, contentType: GeoJson.MediaType);
    }

    private static string Filter(NpgsqlCommand command, DateOnly? from, DateOnly? to, string? substance)
    {
        var where = SpatialQuery.Where(command, from, to);
        if (!string.IsNullOrWhiteSpace(substance))
        {
            where += " and substance = @substance";
            command.Parameters.AddWithValue("substance", substance.Trim());
        }
        return where;
    }

    public static async Task<List<HotspotPoint>> PointsAsync(
        NpgsqlDataSource db, string schema, DateOnly? from, DateOnly? to, string? substance, CancellationToken token)
    {
        await using var command = db.CreateCommand();
        command.CommandText =
            $"select seizure_id, ST_Y(geom), ST_X(geom), grams, lab_confirmed_grams from {SpatialQuery.Table(schema)} where {Filter(command, from, to, substance)}";
        var points = new List<HotspotPoint>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
            points.Add(new HotspotPoint(reader.GetGuid(0), reader.GetDouble(1), reader.GetDouble(2),
                reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.IsDBNull(4) ? null : reader.GetDecimal(4)));
        return points;
    }

    public static FeatureCollection Features(List<Cluster> clusters)
    {
        // Each cluster's feature on its own (hull, sums, ids), the clusters spread over the cores; then in rank order.
        var built = new Feature[clusters.Count];
        Parallel.For(0, clusters.Count, i =>
        {
            var c = clusters[i];
            var ids = new Guid[c.Members.Count];
            decimal grams = 0, lab = 0;
            int withoutMass = 0;
            for (var k = 0; k < ids.Length; k++)
            {
                var p = c.Members[k];
                ids[k] = p.Id;
                grams += p.Grams ?? 0;
                lab += p.LabConfirmedGrams ?? 0;
                if (p.Grams is null) withoutMass++;
            }
            built[i] = new Feature(Hull(c.Members), new AttributesTable
            {
                { "order", c.Order },
                { "rank", i + 1 },
                { "count", c.Members.Count },
                { "clusters", c.FirstOrderClusters },
                { "grams", Ledger.Tally.Canonical(grams) },
                { "labConfirmedGrams", Ledger.Tally.Canonical(lab) },
                { "withoutMass", withoutMass },
                { "meanLat", c.MeanLat },
                { "meanLon", c.MeanLon },
                // Written as the same JSON strings as Guid.ToString(), without a string per member in between.
                { "seizureIds", ids },
            });
        });
        var features = new FeatureCollection();
        foreach (var feature in built) features.Add(feature);
        return features;
    }

    /// <summary>
    /// The convex hull of the members' points, exactly as NetTopologySuite's <c>ConvexHull()</c> of all of them: that one
    /// first keeps the distinct points (in order of first appearance) and its result depends on nothing else. With at most
    /// three distinct points they are handed over as they are; otherwise Andrew's monotone chain (points sorted by
    /// longitude, then latitude) drops every point that is clearly inside the hull (a margin keeps the nearly collinear
    /// ones), and NetTopologySuite builds the hull of what is left with its robust predicates. Every corner survives the
    /// chain, so the geometry is the same, at a fraction of the cost for a cluster of many thousands.
    /// </summary>
    public static Geometry Hull(IReadOnlyList<HotspotPoint> members)
    {
        var pts = new (double X, double Y)[members.Count];
        for (var k = 0; k < pts.Length; k++) pts[k] = (members[k].Lon, members[k].Lat);
        Array.Sort(pts);
        var n = 0;
        for (var k = 0; k < pts.Length; k++)
            if (n == 0 || pts[k] != pts[n - 1]) pts[n++] = pts[k];
        Coordinate[] corners;
        if (n <= 3)
        {
            var distinct = new List<Coordinate>(3);
            foreach (var m in members)
                if (!distinct.Any(c => c.X == m.Lon && c.Y == m.Lat)) distinct.Add(new Coordinate(m.Lon, m.Lat));
            corners = distinct.ToArray();
        }
        else
        {
            // Popped only when clearly clockwise: a point kept in doubt is one more for NetTopologySuite, never a corner lost.
            const double margin = 1e-12;
            static double Cross((double X, double Y) o, (double X, double Y) a, (double X, double Y) b) =>
                (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);
            var hull = new (double X, double Y)[2 * n];
            var h = 0;
            for (var k = 0; k < n; k++)
            {
                while (h >= 2 && Cross(hull[h - 2], hull[h - 1], pts[k]) < -margin) h--;
                hull[h++] = pts[k];
            }
            for (int k = n - 2, lower = h + 1; k >= 0; k--)
            {
                while (h >= lower && Cross(hull[h - 2], hull[h - 1], pts[k]) < -margin) h--;
                hull[h++] = pts[k];
            }
            corners = hull[..h].Distinct().Select(p => new Coordinate(p.X, p.Y)).ToArray();
        }
        return Wgs84.Factory.CreateMultiPointFromCoords(corners).ConvexHull();
    }

    public static async Task<FeatureCollection> GridAsync(
        NpgsqlDataSource db, string schema, DateOnly? from, DateOnly? to, string? substance, double cellKm, CancellationToken token)
    {
        await using var command = db.CreateCommand();
        command.Parameters.AddWithValue("height", HotspotGrid.RowHeight(cellKm));
        command.Parameters.AddWithValue("cell", cellKm);
        command.Parameters.AddWithValue("perDegree", HotspotGrid.KmPerDegree);
        command.CommandText =
            $"""
             with p as (
               select floor(ST_Y(geom) / @height)::bigint as r, ST_X(geom) as x, grams, lab_confirmed_grams
               from {SpatialQuery.Table(schema)} where {Filter(command, from, to, substance)})
             select r, floor(x / (@cell / (@perDegree * cos(radians((r + 0.5) * @height)))))::bigint as c,
               count(*), coalesce(sum(grams), 0), coalesce(sum(lab_confirmed_grams), 0), count(*) filter (where grams is null)
             from p group by 1, 2 order by 3 desc, 1, 2
             """;
        var features = new FeatureCollection();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            long row = reader.GetInt64(0), column = reader.GetInt64(1);
            features.Add(new Feature(HotspotGrid.Cell(cellKm, row, column), new AttributesTable
            {
                { "row", row },
                { "column", column },
                { "count", (int)reader.GetInt64(2) },
                { "grams", Ledger.Tally.Canonical(reader.GetDecimal(3)) },
                { "labConfirmedGrams", Ledger.Tally.Canonical(reader.GetDecimal(4)) },
                { "withoutMass", (int)reader.GetInt64(5) },
            }));
        }
        return features;
    }
}

/// <summary>Cell keys (row in the high half, column in the low half) hashed by multiplying: the default hash of a long,
/// its halves XOR-ed, gives neighbouring rows and columns only a few thousand distinct values.</summary>
internal sealed class CellKeys : IEqualityComparer<long>
{
    public static readonly CellKeys Instance = new();
    public bool Equals(long x, long y) => x == y;
    public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
}
