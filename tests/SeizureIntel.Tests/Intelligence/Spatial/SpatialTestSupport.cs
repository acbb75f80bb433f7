using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>The tests' own geometry, independent of the product's: haversine distances and an even-odd point-in-polygon test.</summary>
public static class Geo
{
    public const double EarthRadiusKm = 6371.0088; // mean radius (IUGG)

    public static double HaversineKm(double lat1, double lon1, double lat2, double lon2)
    {
        double Rad(double d) => d * Math.PI / 180;
        var dLat = Rad(lat2 - lat1);
        var dLon = Rad(lon2 - lon1);
        var a = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(a));
    }

    /// <summary>Ray casting over a ring of [lon, lat] pairs.</summary>
    public static bool InRing(double lat, double lon, IReadOnlyList<(double Lon, double Lat)> ring)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            var (xi, yi) = ring[i];
            var (xj, yj) = ring[j];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
    }

    /// <summary>Whether the point is in a GeoJSON Polygon/MultiPolygon geometry (holes excluded), read from its JSON.</summary>
    public static bool InGeoJson(double lat, double lon, JsonElement geometry)
    {
        var polygons = geometry.GetProperty("type").GetString() == "Polygon"
            ? [geometry.GetProperty("coordinates")]
            : geometry.GetProperty("coordinates").EnumerateArray().ToList();
        foreach (var polygon in polygons)
        {
            var rings = polygon.EnumerateArray().Select(r => r.EnumerateArray().Select(p => (p[0].GetDouble(), p[1].GetDouble())).ToList()).ToList();
            if (InRing(lat, lon, rings[0]) && !rings.Skip(1).Any(hole => InRing(lat, lon, hole))) return true;
        }
        return false;
    }

    /// <summary>Checks the RFC 7946 shape of a FeatureCollection of points: members, types, [lon, lat] positions in range.</summary>
    public static void ShouldBeFeatureCollection(JsonElement collection, string geometryType = "Point")
    {
        collection.GetProperty("type").GetString().ShouldBe("FeatureCollection");
        collection.GetProperty("features").ValueKind.ShouldBe(JsonValueKind.Array);
        collection.TryGetProperty("crs", out _).ShouldBeFalse(); // RFC 7946 §4: no crs member, WGS 84 implied
        foreach (var feature in collection.GetProperty("features").EnumerateArray())
        {
            feature.GetProperty("type").GetString().ShouldBe("Feature");
            feature.GetProperty("properties").ValueKind.ShouldBe(JsonValueKind.Object);
            var geometry = feature.GetProperty("geometry");
            if (geometryType != "*") geometry.GetProperty("type").GetString().ShouldBe(geometryType);
            foreach (var position in Positions(geometry.GetProperty("coordinates")))
            {
                position.Length.ShouldBeInRange(2, 3);
                position[0].ShouldBeInRange(-180, 180);
                position[1].ShouldBeInRange(-90, 90);
            }
        }
    }

    public static IEnumerable<double[]> Positions(JsonElement coordinates)
    {
        if (coordinates[0].ValueKind == JsonValueKind.Number)
        {
            yield return coordinates.EnumerateArray().Select(c => c.GetDouble()).ToArray();
            yield break;
        }
        foreach (var inner in coordinates.EnumerateArray())
        foreach (var p in Positions(inner))
            yield return p;
    }
}

/// <summary>A seizure the spatial tests post: an own point or a facility, and what the test expects of it.</summary>
public sealed record Placed(string Name, double? Lat, double? Lon, string? Facility, decimal Grams, string Substance = "heroin",
    string OccurredAt = "2015-05-05T06:00:00+06:00")
{
    public object Body => new
    {
        facilityId = Facility,
        occurredAt = OccurredAt,
        substance = Substance,
        quantity = new { value = Grams, unit = "g" },
        detection = Lat is null ? "visitor-search" : "intelligence-led",
        location = Lat is { } la && Lon is { } lo ? new { lat = la, lon = lo } : null,
    };
}

public abstract class SpatialTest(NodeFixture fixture) : NodeTest(fixture)
{
    protected async Task<JsonElement> GeoJsonAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        if (status == 200) result.Context.Response.ContentType.ShouldBe("application/geo+json");
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    protected static Dictionary<string, JsonElement> ById(JsonElement collection) =>
        collection.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("properties").GetProperty("seizureId").GetString()!);
}
