using NetTopologySuite.Features;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>A cell of the density raster: its grid position and densities at its centre (per km²).</summary>
public sealed record DensityCell(long Row, long Column, double CentreLat, double CentreLon, double Seizures, double Grams);

/// <summary>
/// Kernel density estimation on the hot-spot grid (<see cref="HotspotGrid"/>): at the centre of every cell, the sum over
/// seizures within the bandwidth h of the quartic (biweight) kernel K(d) = 3/(π h²) · (1 − d²/h²)², d the great-circle
/// distance in km, as CrimeStat and QGIS's heatmap use it. Each seizure's kernel integrates to 1, so a density is in
/// seizures per km² (and, weighted by grams, grams per km²). Cells where no seizure is within the bandwidth are left out.
/// </summary>
public static class KernelDensity
{
    /// <summary>The bandwidth may span at most this many cells: the work is about (2 × that)² cells a seizure.</summary>
    public const int MaxBandwidthInCells = 10;

    public static double Kernel(double distanceKm, double bandwidthKm)
    {
        if (distanceKm >= bandwidthKm) return 0;
        var u = distanceKm / bandwidthKm;
        var w = 1 - u * u;
        return 3 / (Math.PI * bandwidthKm * bandwidthKm) * w * w;
    }

    /// <summary>Densities on the grid of cellKm cells, densest first (then by row and column).</summary>
    public static List<DensityCell> Raster(IReadOnlyList<HotspotPoint> points, double cellKm, double bandwidthKm)
    {
        const double rad = Math.PI / 180, kmPerDegree = Nnh.EarthRadiusKm * rad;
        if (points.Count == 0) return [];
        var height = HotspotGrid.RowHeight(cellKm);
        var reachLat = bandwidthKm / kmPerDegree;
        double minLat = double.MaxValue, maxLat = double.MinValue, minLon = double.MaxValue, maxLon = double.MinValue;
        foreach (var p in points)
        {
            (minLat, maxLat) = (Math.Min(minLat, p.Lat), Math.Max(maxLat, p.Lat));
            (minLon, maxLon) = (Math.Min(minLon, p.Lon), Math.Max(maxLon, p.Lon));
        }
        // One dense array of sums a row, each over the columns the points' reach can touch in that row.
        var firstRow = (long)Math.Floor((minLat - reachLat) / height);
        var rows = (int)((long)Math.Floor((maxLat + reachLat) / height) - firstRow + 1);
        var firstColumn = new long[rows];
        var seizures = new double[rows][];
        var grams = new double[rows][];
        var centreLat = new double[rows];
        var cosCentre = new double[rows];
        var reachLon = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = firstRow + r;
            var lat = (row + 0.5) * height;
            centreLat[r] = lat;
            cosCentre[r] = Math.Cos(lat * rad);
            var width = HotspotGrid.ColumnWidth(cellKm, row);
            // The longitude span of the bandwidth where degrees of longitude are shortest near this row (and a margin).
            var cos = Math.Cos(Math.Min(89.0, Math.Max(Math.Abs(lat), Math.Max(Math.Abs(minLat), Math.Abs(maxLat)))) * rad);
            reachLon[r] = bandwidthKm * 1.01 / (kmPerDegree * cos);
            firstColumn[r] = (long)Math.Floor((minLon - reachLon[r]) / width) - 1;
            var columns = (int)((long)Math.Floor((maxLon + reachLon[r]) / width) + 1 - firstColumn[r] + 1);
            seizures[r] = new double[columns];
            grams[r] = new double[columns];
        }

        var h2 = bandwidthKm * bandwidthKm;
        var scale = 3 / (Math.PI * h2);
        // The haversine's a of the bandwidth (and a hair more): a cell centre beyond it is skipped before the arcsine.
        var beyond = Math.Pow(Math.Sin(bandwidthKm / (2 * Nnh.EarthRadiusKm)), 2) * (1 + 1e-9);
        // Bands of rows in parallel, each summing only into its own rows and taking the points in input order: every
        // cell adds up the same kernels in the same order as one pass would, so the densities do not depend on the cores.
        var bands = Math.Min(rows, Environment.ProcessorCount * 4);
        Parallel.For(0, bands, band =>
        {
            int bandFrom = (int)((long)rows * band / bands), bandTo = (int)((long)rows * (band + 1) / bands) - 1;
            for (var i = 0; i < points.Count; i++)
            {
                var p = points[i];
                var fromRow = Math.Max(bandFrom, (int)((long)Math.Floor((p.Lat - reachLat) / height) - firstRow));
                var toRow = Math.Min(bandTo, (int)((long)Math.Floor((p.Lat + reachLat) / height) - firstRow));
                if (fromRow > toRow) continue;
                var g = (double)(p.Grams ?? 0);
                var cosP = Math.Cos(p.Lat * rad);
                for (var r = fromRow; r <= toRow; r++)
                {
                    var dLat = (centreLat[r] - p.Lat) * rad;
                    if (Math.Abs(dLat) * Nnh.EarthRadiusKm >= bandwidthKm) continue;
                    var sinLat = Math.Sin(dLat / 2);
                    var a0 = sinLat * sinLat;
                    var cc = cosP * cosCentre[r];
                    var width = HotspotGrid.ColumnWidth(cellKm, firstRow + r);
                    var from = (int)((long)Math.Floor((p.Lon - reachLon[r]) / width) - firstColumn[r]);
                    var to = (int)((long)Math.Floor((p.Lon + reachLon[r]) / width) + 1 - firstColumn[r]);
                    var sRow = seizures[r];
                    var gRow = grams[r];
                    for (var c = Math.Max(0, from); c <= Math.Min(sRow.Length - 1, to); c++)
                    {
                        // Haversine, as Nnh.DistanceKm, with the row's terms computed once.
                        var sinLon = Math.Sin(((firstColumn[r] + c + 0.5) * width - p.Lon) * rad / 2);
                        var hav = a0 + cc * sinLon * sinLon;
                        if (hav > beyond) continue;
                        var d = 2 * Nnh.EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(hav)));
                        if (d >= bandwidthKm) continue;
                        var w = 1 - d * d / h2;
                        var k = scale * w * w;
                        sRow[c] += k;
                        gRow[c] += k * g;
                    }
                }
            }
        });

        var cells = new List<DensityCell>();
        for (var r = 0; r < rows; r++)
        {
            var width = HotspotGrid.ColumnWidth(cellKm, firstRow + r);
            for (var c = 0; c < seizures[r].Length; c++)
                if (seizures[r][c] > 0)
                {
                    var column = firstColumn[r] + c;
                    cells.Add(new DensityCell(firstRow + r, column, centreLat[r], (column + 0.5) * width, seizures[r][c], grams[r][c]));
                }
        }
        cells.Sort((x, y) => y.Seizures.CompareTo(x.Seizures) is not 0 and var byDensity ? byDensity
            : x.Row != y.Row ? x.Row.CompareTo(y.Row) : x.Column.CompareTo(y.Column));
        return cells;
    }

    public static FeatureCollection Features(List<DensityCell> cells, double cellKm)
    {
        var built = new Feature[cells.Count];
        Parallel.For(0, cells.Count, i =>
        {
            var c = cells[i];
            built[i] = new Feature(HotspotGrid.Cell(cellKm, c.Row, c.Column), new AttributesTable
            {
                { "row", c.Row },
                { "column", c.Column },
                { "centreLat", c.CentreLat },
                { "centreLon", c.CentreLon },
                { "density", c.Seizures },
                { "gramsDensity", c.Grams },
            });
        });
        var features = new FeatureCollection();
        foreach (var feature in built) features.Add(feature);
        return features;
    }
}
