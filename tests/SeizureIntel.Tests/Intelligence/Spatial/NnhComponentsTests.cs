using SeizureIntel.Intelligence.Spatial;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>
/// The product's bucketed single linkage (cells of half the threshold, joined without measuring inside a cell) against
/// the test's own all-pairs breadth-first search with its own haversine, on generated data: dense hot spots, sparse
/// points, points right at the threshold along a meridian and a parallel, and a spread from the equator to 70° N.
/// </summary>
public sealed class NnhComponentsTests
{
    private static List<string> Mine(List<(double Lat, double Lon)> points, double thresholdKm)
    {
        var seen = new bool[points.Count];
        var groups = new List<string>();
        for (var start = 0; start < points.Count; start++)
        {
            if (seen[start]) continue;
            seen[start] = true;
            var group = new List<int> { start };
            for (var k = 0; k < group.Count; k++)
                for (var j = 0; j < points.Count; j++)
                    if (!seen[j] && Geo.HaversineKm(points[group[k]].Lat, points[group[k]].Lon, points[j].Lat, points[j].Lon) <= thresholdKm)
                    {
                        seen[j] = true;
                        group.Add(j);
                    }
            groups.Add(string.Join(",", group.Order()));
        }
        return groups.Order().ToList();
    }

    private static List<string> Product(List<(double Lat, double Lon)> points, double thresholdKm) =>
        Nnh.Components(points, thresholdKm).Select(g => string.Join(",", g.Order())).Order().ToList();

    [Theory]
    [InlineData(1.0, 42.0, 75.0, 0.5, 1)]     // Kyrgyzstan-like: hot spots of about 1 km spread and scattered points
    [InlineData(0.3, 40.5, 72.8, 0.2, 2)]
    [InlineData(5.0, 0.0, 30.0, 3.0, 3)]      // across the equator
    [InlineData(2.0, 69.0, 20.0, 1.5, 4)]     // far north, where degrees of longitude are short
    public void components_equal_the_tests_all_pairs_search(double thresholdKm, double lat, double lon, double spreadDegrees, int seed)
    {
        var random = new Random(seed);
        var points = new List<(double Lat, double Lon)>();
        var centres = Enumerable.Range(0, 6).Select(_ => (lat + (random.NextDouble() - 0.5) * spreadDegrees, lon + (random.NextDouble() - 0.5) * spreadDegrees)).ToList();
        for (var i = 0; i < 2500; i++)
        {
            if (random.NextDouble() < 0.6)
            {
                var (cLat, cLon) = centres[random.Next(centres.Count)];
                var r = thresholdKm * 1.5 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
                var a = random.NextDouble() * 2 * Math.PI;
                points.Add((cLat + r * Math.Sin(a) / 111.2, cLon + r * Math.Cos(a) / (111.2 * Math.Cos(cLat * Math.PI / 180))));
            }
            else points.Add((lat + (random.NextDouble() - 0.5) * spreadDegrees, lon + (random.NextDouble() - 0.5) * spreadDegrees));
        }
        // Pairs just inside and just outside the threshold, along a meridian and along a parallel.
        var kmPerDegree = Geo.EarthRadiusKm * Math.PI / 180;
        foreach (var factor in new[] { 0.999, 1.001 })
        {
            var (bLat, bLon) = (lat + spreadDegrees, lon + spreadDegrees * factor);
            points.Add((bLat, bLon));
            points.Add((bLat + thresholdKm * factor / kmPerDegree, bLon));
            points.Add((bLat - 0.5, bLon));
            points.Add((bLat - 0.5, bLon + thresholdKm * factor / (kmPerDegree * Math.Cos((bLat - 0.5) * Math.PI / 180))));
        }
        Product(points, thresholdKm).ShouldBe(Mine(points, thresholdKm));
    }

    [Fact]
    public void thousands_of_cells_joined_on_all_cores_give_the_tests_all_pairs_components()
    {
        // 6,000 points, most of them one to a cell and about a threshold from their nearest neighbour: thousands of cells,
        // so the parallel joins of many chunks of cells race on the union–find, and long chains cross chunk boundaries.
        var random = new Random(7);
        var points = new List<(double Lat, double Lon)>();
        for (var i = 0; i < 6000; i++)
            points.Add(random.NextDouble() < 0.85
                ? (41.0 + random.NextDouble(), 72.5 + random.NextDouble() * 1.5)
                : (41.5 + (random.NextDouble() - 0.5) * 0.02, 73.2 + (random.NextDouble() - 0.5) * 0.03));
        Product(points, 1.0).ShouldBe(Mine(points, 1.0));
    }

    [Fact]
    public void a_thousand_points_on_one_spot_are_one_component_and_lone_points_stay_alone()
    {
        var points = Enumerable.Repeat((42.0, 75.0), 1000).Append((42.1, 75.0)).Append((43.0, 75.0)).ToList();
        var groups = Nnh.Components(points, 1.0);
        groups.Select(g => g.Count).OrderDescending().ShouldBe([1000, 1, 1]);
    }
}
