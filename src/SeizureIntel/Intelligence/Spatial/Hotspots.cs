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
    /// three distinct points they are handed over as they are; otherwise the members clearly inside the quadrilateral of
    /// the extreme ones are left out, and Andrew's monotone chain (the rest sorted by longitude, then latitude) drops every
    /// point that is clearly inside the hull (a margin keeps the nearly collinear
    /// ones), and NetTopologySuite builds the hull of what is left with its robust predicates. Every corner survives the
    /// chain, so the geometry is the same, at a fraction of the cost for a cluster of many thousands.
    /// </summary>
    public static Geometry Hull(IReadOnlyList<HotspotPoint> members)
    {
        // Up to three distinct points: handed over as they are, in order of first appearance.
        var distinct = new List<Coordinate>(4);
        foreach (var m in members)
        {
            if (!distinct.Any(c => c.X == m.Lon && c.Y == m.Lat)) distinct.Add(new Coordinate(m.Lon, m.Lat));
            if (distinct.Count > 3) break;
        }
        if (distinct.Count <= 3) return Wgs84.Factory.CreateMultiPointFromCoords(distinct.ToArray()).ConvexHull();

        // Popped or dropped only when clearly inside: a point kept in doubt is one more for NetTopologySuite, never a corner lost.
        const double margin = 1e-12;
        static double Cross(XY o, XY a, XY b) => (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);
        // The quadrilateral of the westernmost, southernmost, easternmost and northernmost members (counter-clockwise)
        // lies inside the hull: a member clearly inside it is no corner (Akl–Toussaint). In a dense hot spot that is
        // nearly every member, so only a few are sorted.
        XY west = new(members[0].Lon, members[0].Lat), south = west, east = west, north = west;
        foreach (var m in members)
        {
            XY p = new(m.Lon, m.Lat);
            if (p.X < west.X) west = p;
            if (p.X > east.X) east = p;
            if (p.Y < south.Y) south = p;
            if (p.Y > north.Y) north = p;
        }
        var pts = new List<XY>();
        foreach (var m in members)
        {
            XY p = new(m.Lon, m.Lat);
            if (Cross(west, south, p) > margin && Cross(south, east, p) > margin && Cross(east, north, p) > margin && Cross(north, west, p) > margin)
                continue;
            pts.Add(p);
        }
        pts.Sort(); // by longitude, then latitude (a struct's own comparison: no comparer delegate per pair)
        var n = 0;
        for (var k = 0; k < pts.Count; k++)
            if (n == 0 || !pts[k].Equals(pts[n - 1])) pts[n++] = pts[k];
        // Andrew's monotone chain over what is left.
        var hull = new XY[2 * n];
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
        var corners = hull[..h].Distinct().Select(p => new Coordinate(p.X, p.Y)).ToArray();
        return Wgs84.Factory.CreateMultiPointFromCoords(corners).ConvexHull();
    }

    /// <summary>A point as the hull sees it: longitude X, latitude Y, ordered by X then Y.</summary>
    private readonly record struct XY(double X, double Y) : IComparable<XY>
    {
        public int CompareTo(XY other) => X != other.X ? X.CompareTo(other.X) : Y.CompareTo(other.Y);
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
