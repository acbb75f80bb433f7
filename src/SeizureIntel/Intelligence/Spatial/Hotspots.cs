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

    /// <summary>Groups of linked points (every group, any size), each ordered as the input; found with a grid hash and union-find.</summary>
    public static List<List<int>> Components(IReadOnlyList<(double Lat, double Lon)> points, double thresholdKm)
    {
        var parent = Enumerable.Range(0, points.Count).ToArray();
        int Find(int i)
        {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        }
        if (points.Count > 0)
        {
            // Cells at least the threshold wide everywhere in the data, so linked points are in the same or adjacent cells.
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
                    if (DistanceKm(points[i].Lat, points[i].Lon, points[j].Lat, points[j].Lon) <= thresholdKm) parent[Find(i)] = Find(j);
                }
            }
        }
        return Enumerable.Range(0, points.Count).GroupBy(Find).Select(g => g.ToList()).ToList();
    }

    /// <summary>First-order clusters, then (orders = 2) second-order ones; largest first.</summary>
    public static List<Cluster> Clusters(IReadOnlyList<HotspotPoint> points, double thresholdKm, int minPoints, int orders)
    {
        var first = Components(points.Select(p => (p.Lat, p.Lon)).ToList(), thresholdKm)
            .Where(c => c.Count >= minPoints)
            .Select(c => new Cluster(1, c.Select(i => points[i]).OrderBy(p => p.Id).ToList(), 1))
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
    /// non-empty cell of about cellKm × cellKm. <c>from</c>/<c>to</c> (local dates) and <c>substance</c> filter the seizures.
    /// </summary>
    [WolverineGet("/api/hotspots", OperationId = "hotspots")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static async Task<Results<JsonHttpResult<FeatureCollection>, ProblemHttpResult>> Get(
        string? from, string? to, string? substance, string? method, string? thresholdKm, string? minPoints, string? orders, string? cellKm,
        ReferenceData reference, NpgsqlDataSource db, IDocumentStore store, CancellationToken token)
    {
        var problems = new Problems();
        var (f, t) = SpatialQuery.Dates(problems, from, to);
        if (!string.IsNullOrWhiteSpace(substance))
        {
            if (reference.Find(ReferenceData.Substances, substance) is { } term) substance = term.Code;
            else problems.Fail("substance", $"'{substance}' is not a known code (see /api/reference/substances)");
        }
        var m = string.IsNullOrWhiteSpace(method) ? "nnh" : method.Trim().ToLowerInvariant();
        double? threshold = null, cell = null;
        int? min = null, levels = null;
        if (m == "nnh")
        {
            threshold = SpatialQuery.Number(problems, "thresholdKm", thresholdKm, 0.001, 500, required: true);
            min = SpatialQuery.Integer(problems, "minPoints", minPoints, 2, 1_000_000, fallback: 2);
            levels = SpatialQuery.Integer(problems, "orders", orders, 1, 2, fallback: 1);
            if (!string.IsNullOrWhiteSpace(cellKm)) problems.Fail("cellKm", "applies only to method=grid");
        }
        else if (m == "grid")
        {
            cell = SpatialQuery.Number(problems, "cellKm", cellKm, 0.1, 1000, required: true);
            foreach (var (name, value) in new[] { ("thresholdKm", thresholdKm), ("minPoints", minPoints), ("orders", orders) })
                if (!string.IsNullOrWhiteSpace(value)) problems.Fail(name, "applies only to method=nnh");
        }
        else problems.Fail("method", $"'{method}' is not a method: nnh or grid");
        if (problems.Any) return TypedResults.Problem(problems.Invalid(SpatialQuery.Title));

        var schema = store.Options.DatabaseSchemaName;
        var features = m == "nnh"
            ? Features(Nnh.Clusters(await PointsAsync(db, schema, f, t, substance, token), threshold!.Value, min!.Value, levels!.Value))
            : await GridAsync(db, schema, f, t, substance, cell!.Value, token);
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
        var features = new FeatureCollection();
        var rank = 0;
        foreach (var c in clusters)
        {
            var hull = Wgs84.Factory.CreateMultiPointFromCoords(c.Members.Select(p => new Coordinate(p.Lon, p.Lat)).ToArray()).ConvexHull();
            features.Add(new Feature(hull, new AttributesTable
            {
                { "order", c.Order },
                { "rank", ++rank },
                { "count", c.Members.Count },
                { "clusters", c.FirstOrderClusters },
                { "grams", Ledger.Tally.Canonical(c.Members.Sum(p => p.Grams ?? 0)) },
                { "labConfirmedGrams", Ledger.Tally.Canonical(c.Members.Sum(p => p.LabConfirmedGrams ?? 0)) },
                { "withoutMass", c.Members.Count(p => p.Grams is null) },
                { "meanLat", c.MeanLat },
                { "meanLon", c.MeanLon },
                { "seizureIds", c.Members.Select(p => p.Id.ToString()).ToArray() },
            }));
        }
        return features;
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
