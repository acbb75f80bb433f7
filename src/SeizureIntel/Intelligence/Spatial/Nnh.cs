namespace SeizureIntel.Intelligence.Spatial;

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

    /// <summary>Groups of linked points (every group, any size), each listing its points in input order.</summary>
    public static List<List<int>> Components(IReadOnlyList<(double Lat, double Lon)> points, double thresholdKm)
    {
        var lat = new double[points.Count];
        var lon = new double[points.Count];
        for (var i = 0; i < lat.Length; i++) (lat[i], lon[i]) = points[i];
        var label = Label(lat, lon, thresholdKm, out var count);
        var groups = new List<int>[count];
        for (var g = 0; g < count; g++) groups[g] = [];
        for (var i = 0; i < label.Length; i++) groups[label[i]].Add(i);
        return groups.ToList();
    }

    /// <summary>
    /// The group of every point, numbered 0, 1, … in order of each group's first point, and the number of groups.
    /// Points are bucketed in cells whose diagonal is shorter than the threshold everywhere in the data, so the points
    /// of one cell are linked without measuring: the groups are unions of cells. The cells are found by sorting the
    /// points' cell keys (a radix sort: a few linear passes), and a union–find over cells joins two cells up to a few
    /// cells apart as soon as one pair of their points is within the threshold: first every cell's adjacent cells (which
    /// joins the cells of a dense hot spot into one group), then the farther ones, mostly found joined already. Both
    /// passes run in parallel over the cells (a lock-free union–find: a root is linked under the smaller root by
    /// compare-and-swap, so the groups do not depend on the order). Only a few hundred thousand pairs are measured for a
    /// million points, by the haversine's a against the threshold's; an a within a billionth of it is decided by
    /// <see cref="DistanceKm"/> itself.
    /// </summary>
    public static int[] Label(double[] lat, double[] lon, double thresholdKm, out int count)
    {
        var n = lat.Length;
        var label = new int[n];
        count = 0;
        if (n == 0) return label;
        const double rad = Math.PI / 180, kmPerDegree = EarthRadiusKm * rad;
        double minLat = double.MaxValue, maxLat = double.MinValue, minLon = double.MaxValue, maxLon = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            minLat = Math.Min(minLat, lat[i]);
            maxLat = Math.Max(maxLat, lat[i]);
            minLon = Math.Min(minLon, lon[i]);
            maxLon = Math.Max(maxLon, lon[i]);
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

        // Cell keys: row and column counted from the data's corner (columns shifted by the reach, so no neighbour's is
        // negative), the row above the column's bits.
        var firstRow = Math.Floor(minLat / cellLat);
        var firstColumn = Math.Floor(minLon / cellLon) - reachLon;
        var rows = (long)(Math.Floor(maxLat / cellLat) - firstRow) + 1 + reachLat;
        var columnBits = Bits((long)(Math.Floor(maxLon / cellLon) - firstColumn) + 1 + reachLon);
        var keyBits = columnBits + Bits(rows);
        if (keyBits > 62) throw new ArgumentException("the points span too many cells of this threshold", nameof(thresholdKm));
        var keys = new ulong[n];
        var order = new int[n];
        Parallel.For(0, Chunks(n), chunk =>
        {
            var (from, to) = Chunk(n, chunk);
            for (var i = from; i < to; i++)
            {
                var row = (ulong)(long)(Math.Floor(lat[i] / cellLat) - firstRow);
                var column = (ulong)(long)(Math.Floor(lon[i] / cellLon) - firstColumn);
                keys[i] = (row << columnBits) | column;
                order[i] = i;
            }
        });
        (keys, order) = RadixSort(keys, order, keyBits);

        // Runs of equal keys are cells: [starts[c], starts[c + 1]) of the sorted points.
        var startList = new List<int>();
        for (var k = 0; k < n; k++)
            if (k == 0 || keys[k] != keys[k - 1]) startList.Add(k);
        var cells = startList.Count;
        startList.Add(n);
        var starts = startList.ToArray();
        var cellKey = new ulong[cells];
        for (var c = 0; c < cells; c++) cellKey[c] = keys[starts[c]];

        // The sorted points' coordinates (each cell's points side by side) and each cell's extent.
        var latS = new double[n];
        var lonS = new double[n];
        Parallel.For(0, Chunks(n), chunk =>
        {
            var (from, to) = Chunk(n, chunk);
            for (var k = from; k < to; k++)
            {
                latS[k] = lat[order[k]];
                lonS[k] = lon[order[k]];
            }
        });
        var extent = new (double MinLat, double MaxLat, double MinLon, double MaxLon)[cells];
        Parallel.For(0, Chunks(cells), chunk =>
        {
            var (from, to) = Chunk(cells, chunk);
            for (var c = from; c < to; c++)
            {
                var e = (double.MaxValue, double.MinValue, double.MaxValue, double.MinValue);
                for (var k = starts[c]; k < starts[c + 1]; k++)
                    e = (Math.Min(e.Item1, latS[k]), Math.Max(e.Item2, latS[k]), Math.Min(e.Item3, lonS[k]), Math.Max(e.Item4, lonS[k]));
                extent[c] = e;
            }
        });

        var parent = new int[cells];
        for (var c = 0; c < cells; c++) parent[c] = c;
        int Find(int c)
        {
            // Path halving: every pointer only ever moves to an ancestor, so concurrent halving is safe.
            while (true)
            {
                var p = Volatile.Read(ref parent[c]);
                if (p == c) return c;
                var g = Volatile.Read(ref parent[p]);
                if (g != p) parent[c] = g;
                c = g;
            }
        }
        void Union(int a, int b)
        {
            while (true)
            {
                a = Find(a);
                b = Find(b);
                if (a == b) return;
                if (a < b) (a, b) = (b, a);
                // Roots only ever point to smaller roots: no cycles, whatever order the threads link in.
                if (Interlocked.CompareExchange(ref parent[a], b, a) == a) return;
            }
        }

        // The haversine's a = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2) of the threshold: a pair is linked when its a is at most this.
        var limit = Math.Pow(Math.Sin(thresholdKm / (2 * EarthRadiusKm)), 2);
        var (surelyIn, surelyOut) = (limit * (1 - 1e-9), limit * (1 + 1e-9));
        var lonScale = kmPerDegree * cosFarthest * 0.99;
        void Join(int a, int b)
        {
            if (Find(a) == Find(b)) return;
            var ea = extent[a];
            var eb = extent[b];
            // Lower bounds of the distance between the extents: never more than the great-circle distance.
            if (Math.Max(0, Math.Max(ea.MinLat - eb.MaxLat, eb.MinLat - ea.MaxLat)) * kmPerDegree > thresholdKm
                || Math.Max(0, Math.Max(ea.MinLon - eb.MaxLon, eb.MinLon - ea.MaxLon)) * lonScale > thresholdKm) return;
            for (var i = starts[a]; i < starts[a + 1]; i++)
            {
                double pLat = latS[i], pLon = lonS[i];
                if (Math.Max(0, Math.Max(eb.MinLat - pLat, pLat - eb.MaxLat)) * kmPerDegree > thresholdKm
                    || Math.Max(0, Math.Max(eb.MinLon - pLon, pLon - eb.MaxLon)) * lonScale > thresholdKm) continue;
                var cosP = Math.Cos(pLat * rad);
                for (var k = starts[b]; k < starts[b + 1]; k++)
                {
                    if (Math.Abs(pLat - latS[k]) * kmPerDegree > thresholdKm) continue;
                    var sinLat = Math.Sin((latS[k] - pLat) * rad / 2);
                    var sinLon = Math.Sin((lonS[k] - pLon) * rad / 2);
                    var hav = sinLat * sinLat + cosP * Math.Cos(latS[k] * rad) * sinLon * sinLon;
                    if (hav > surelyOut) continue;
                    if (hav >= surelyIn && DistanceKm(pLat, pLon, latS[k], lonS[k]) > thresholdKm) continue;
                    Union(a, b);
                    return;
                }
            }
        }

        // The first cell of the sorted keys at or after a key.
        int LowerBound(ulong key)
        {
            int lo = 0, hi = cells;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (cellKey[mid] < key) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
        var columnMask = (1UL << columnBits) - 1;
        // Half of each cell's neighbourhood (the other half sees this cell): first the adjacent cells (right, and the
        // three above), then those farther off; within a row from the left. Farther pairs are mostly joined by then.
        foreach (var adjacent in new[] { true, false })
            Parallel.For(0, Chunks(cells), chunk =>
            {
                var (from, to) = Chunk(cells, chunk);
                for (var a = from; a < to; a++)
                {
                    var key = cellKey[a];
                    var column = (long)(key & columnMask);
                    for (var dr = 0; dr <= reachLat; dr++)
                    {
                        if (adjacent && dr > 1) break;
                        var reach = adjacent ? 1 : reachLon;
                        var (left, right) = dr == 0 ? (column + 1, column + reach) : (column - reach, column + reach);
                        var rowKey = (key + ((ulong)dr << columnBits)) & ~columnMask;
                        var b = dr == 0 ? a + 1 : LowerBound(rowKey | (ulong)left);
                        for (; b < cells && cellKey[b] <= (rowKey | (ulong)right); b++)
                        {
                            var dc = (long)(cellKey[b] & columnMask) - column;
                            if (adjacent == (dr <= 1 && Math.Abs(dc) <= 1)) Join(a, b);
                        }
                    }
                }
            });

        // Groups numbered in order of their first point.
        var groupOfRoot = new int[cells];
        Array.Fill(groupOfRoot, -1);
        var cellOf = new int[n];
        Parallel.For(0, Chunks(cells), chunk =>
        {
            var (from, to) = Chunk(cells, chunk);
            for (var c = from; c < to; c++)
                for (var k = starts[c]; k < starts[c + 1]; k++)
                    cellOf[order[k]] = c;
        });
        for (var i = 0; i < n; i++)
        {
            var root = Find(cellOf[i]);
            if (groupOfRoot[root] < 0) groupOfRoot[root] = count++;
            label[i] = groupOfRoot[root];
        }
        return label;
    }

    private static int Bits(long value) => 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, value));

    private const int ChunkSize = 1_024;
    private static int Chunks(int n) => (n + ChunkSize - 1) / ChunkSize;
    private static (int From, int To) Chunk(int n, int chunk) => (chunk * ChunkSize, Math.Min(n, (chunk + 1) * ChunkSize));

    /// <summary>Stable least-significant-digit radix sort of the keys (their low <paramref name="bits"/> bits) with their items.</summary>
    private static (ulong[] Keys, int[] Items) RadixSort(ulong[] keys, int[] items, int bits)
    {
        const int digit = 11;
        var n = keys.Length;
        var (keysTo, itemsTo) = (new ulong[n], new int[n]);
        var counts = new int[1 << digit];
        for (var shift = 0; shift < bits; shift += digit)
        {
            Array.Clear(counts);
            const ulong mask = (1 << digit) - 1;
            foreach (var key in keys) counts[(int)((key >> shift) & mask)]++;
            for (int d = 0, sum = 0; d < counts.Length; d++) (counts[d], sum) = (sum, sum + counts[d]);
            for (var i = 0; i < n; i++)
            {
                var at = counts[(int)((keys[i] >> shift) & mask)]++;
                keysTo[at] = keys[i];
                itemsTo[at] = items[i];
            }
            (keys, keysTo) = (keysTo, keys);
            (items, itemsTo) = (itemsTo, items);
        }
        return (keys, items);
    }

    /// <summary>First-order clusters, then (orders = 2) second-order ones; largest first.</summary>
    public static List<Cluster> Clusters(IReadOnlyList<HotspotPoint> points, double thresholdKm, int minPoints, int orders)
    {
        // Each cluster lists its points in input order: already ordered by id when the input is (HotspotIndex.PointsAsync).
        var byId = true;
        for (var i = 1; i < points.Count && byId; i++) byId = points[i - 1].Id.CompareTo(points[i].Id) < 0;
        var lat = new double[points.Count];
        var lon = new double[points.Count];
        for (var i = 0; i < lat.Length; i++) (lat[i], lon[i]) = (points[i].Lat, points[i].Lon);
        var label = Label(lat, lon, thresholdKm, out var groups);
        var size = new int[groups];
        foreach (var g in label) size[g]++;
        var members = new HotspotPoint[groups][];
        for (var g = 0; g < groups; g++)
            if (size[g] >= minPoints) members[g] = new HotspotPoint[size[g]];
        var filled = new int[groups];
        for (var i = 0; i < label.Length; i++)
            if (members[label[i]] is { } m) m[filled[label[i]]++] = points[i];
        var first = new List<Cluster>();
        foreach (var m in members)
        {
            if (m is null) continue;
            if (!byId) Array.Sort(m, (a, b) => a.Id.CompareTo(b.Id));
            first.Add(new Cluster(1, m, 1));
        }
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
