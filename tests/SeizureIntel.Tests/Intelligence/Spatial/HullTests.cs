using NetTopologySuite.Geometries;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Spatial;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>
/// A cluster's hull is computed from the monotone chain's corners only: it must be exactly the geometry NetTopologySuite's
/// ConvexHull gives for all members (same type, same coordinates in the same order), also for one point, repeated points,
/// two or three places, points on a line (rising and falling), a dense hot spot and a few points on a grid.
/// </summary>
public sealed class HullTests
{
    private static HotspotPoint P(double lat, double lon) => new(Guid.NewGuid(), lat, lon, null, null);

    private static Geometry AllPoints(IReadOnlyList<HotspotPoint> members) =>
        Wgs84.Factory.CreateMultiPointFromCoords(members.Select(p => new Coordinate(p.Lon, p.Lat)).ToArray()).ConvexHull();

    public static IEnumerable<object[]> Cases()
    {
        var random = new Random(99);
        yield return ["one point", new List<HotspotPoint> { P(42.87, 74.59) }];
        yield return ["one place, repeated", Enumerable.Range(0, 50).Select(_ => P(42.87, 74.59)).ToList()];
        yield return ["two places", Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? P(42.87, 74.59) : P(42.871, 74.6)).ToList()];
        yield return ["three places", Enumerable.Range(0, 30).Select(i => (i % 3) switch { 0 => P(42.87, 74.59), 1 => P(42.875, 74.6), _ => P(42.86, 74.61) }).ToList()];
        yield return ["rising line", Enumerable.Range(0, 30).Select(i => P(42 + i * 0.001, 74 + i * 0.002)).Reverse().ToList()];
        yield return ["falling line", Enumerable.Range(0, 30).Select(i => P(42 - i * 0.001, 74 + i * 0.002)).ToList()];
        yield return ["grid", Enumerable.Range(0, 100).Select(i => P(42 + i / 10 * 0.001, 74 + i % 10 * 0.001)).OrderBy(_ => random.Next()).ToList()];
        for (var run = 0; run < 20; run++)
        {
            var (lat, lon, n) = (40 + random.NextDouble() * 3, 70 + random.NextDouble() * 9, random.Next(4, 5000));
            yield return [$"hot spot {run}", Enumerable.Range(0, n)
                .Select(_ => P(lat + (random.NextDouble() - 0.5) * 0.02 * random.NextDouble(), lon + (random.NextDouble() - 0.5) * 0.02)).ToList()];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void the_hull_from_the_corners_is_the_hull_of_all_members(string name, List<HotspotPoint> members)
    {
        var expected = AllPoints(members);
        var actual = HotspotsEndpoint.Hull(members);
        actual.GeometryType.ShouldBe(expected.GeometryType, name);
        actual.Coordinates.Select(c => (c.X, c.Y)).ShouldBe(expected.Coordinates.Select(c => (c.X, c.Y)), name);
    }
}
