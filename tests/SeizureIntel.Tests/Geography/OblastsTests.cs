using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using SeizureIntel.Geography;

namespace SeizureIntel.Tests.Geography;

/// <summary>The oblast boundaries against facts stated in shared/data/README.md and towns whose oblast is common knowledge.</summary>
public sealed class OblastsTests
{
    private static readonly Oblasts Oblasts = Oblasts.LoadEmbedded();

    [Fact]
    public void holds_the_seven_oblasts_with_their_iso_codes_and_english_names()
    {
        Oblasts.All.Select(o => (o.Code, o.Name)).ShouldBe([
            ("KG-B", "Batken Region"), ("KG-C", "Chuy Region"), ("KG-J", "Jalal-Abad Region"), ("KG-N", "Naryn Region"),
            ("KG-O", "Osh Region"), ("KG-T", "Talas Region"), ("KG-Y", "Issyk-Kul Region")]);
        Oblasts.Find("kg-c")!.Name.ShouldBe("Chuy Region");
        Oblasts.Find("KG-GB").ShouldBeNull(); // Bishkek is not a feature of the file
    }

    [Fact]
    public void boundaries_are_valid_wgs84_polygons_longitude_first()
    {
        foreach (var oblast in Oblasts.All)
        {
            oblast.Geometry.SRID.ShouldBe(4326);
            oblast.Geometry.IsValid.ShouldBeTrue(oblast.Code);
            // The file's bounding box: longitude 69.2650 – 80.2296, latitude 39.1728 – 43.2668.
            var box = oblast.Geometry.EnvelopeInternal;
            box.MinX.ShouldBeGreaterThanOrEqualTo(69.26);
            box.MaxX.ShouldBeLessThanOrEqualTo(80.23);
            box.MinY.ShouldBeGreaterThanOrEqualTo(39.17);
            box.MaxY.ShouldBeLessThanOrEqualTo(43.27);
        }
        var batken = (Polygon)Oblasts.Find("KG-B")!.Geometry;
        batken.NumInteriorRings.ShouldBe(5); // the enclaves
        Oblasts.Find("KG-O")!.Geometry.ShouldBeOfType<MultiPolygon>().NumGeometries.ShouldBe(2); // with the Barak exclave
    }

    [Theory]
    [InlineData("Bishkek (town centre, approximate)", 42.8746, 74.5698, "KG-C")]
    [InlineData("Bishkek (Getty TGN)", 42.8730, 74.6000, "KG-C")]
    [InlineData("Osh city", 40.513, 72.816, "KG-O")]
    [InlineData("Karakol", 42.49, 78.39, "KG-Y")]
    [InlineData("Naryn", 41.43, 75.99, "KG-N")]
    [InlineData("Talas", 42.52, 72.24, "KG-T")]
    [InlineData("Batken", 40.06, 70.82, "KG-B")]
    [InlineData("Jalal-Abad", 40.93, 73.00, "KG-J")]
    public void locates_towns_in_their_oblast(string town, double lat, double lon, string code)
    {
        (Oblasts.Locate(lat, lon)?.Code).ShouldBe(code, town);
        Oblasts.IsInKyrgyzstan(lat, lon).ShouldBeTrue(town);
    }

    [Theory]
    [InlineData("Almaty, Kazakhstan", 43.24, 76.95)]
    [InlineData("Tashkent, Uzbekistan", 41.31, 69.28)]
    [InlineData("Kashgar, China", 39.47, 75.99)]
    [InlineData("Bishkek with latitude and longitude swapped", 74.5698, 42.8746)]
    [InlineData("not a position", double.NaN, 74.5)]
    [InlineData("latitude beyond the pole", 95.0, 74.5)]
    public void places_outside_kyrgyzstan_locate_nowhere(string place, double lat, double lon)
    {
        Oblasts.Locate(lat, lon).ShouldBeNull(place);
        Oblasts.IsInKyrgyzstan(lat, lon).ShouldBeFalse(place);
    }

    [Fact]
    public void an_enclave_inside_batken_is_a_hole_not_batken()
    {
        // Sokh, an Uzbek enclave: inside Batken's outer ring, but inside one of its holes.
        const double lat = 39.96, lon = 71.13;
        var batken = (Polygon)Oblasts.Find("KG-B")!.Geometry;
        batken.Factory.CreatePolygon(batken.Shell).Covers(Wgs84.Point(lat, lon)).ShouldBeTrue();
        Oblasts.Locate(lat, lon).ShouldBeNull();
    }

    [Fact]
    public void the_indexed_lookup_agrees_with_a_plain_polygon_test_everywhere()
    {
        // A 0.2° grid over the country's bounding box and a margin, against an unindexed ray-casting test of every
        // polygon: the index must never change an answer.
        for (var lat = 39.0; lat <= 43.5; lat += 0.2)
        for (var lon = 69.0; lon <= 80.5; lon += 0.2)
        {
            var coordinate = new Coordinate(lon, lat);
            var expected = Oblasts.All
                .Where(o => o.Geometry.EnvelopeInternal.Covers(coordinate)
                            && SimplePointInAreaLocator.Locate(coordinate, o.Geometry) != Location.Exterior)
                .Select(o => o.Code).Order(StringComparer.Ordinal).FirstOrDefault();
            (Oblasts.Locate(lat, lon)?.Code).ShouldBe(expected, $"{lat} N {lon} E");
        }
    }

    [Fact]
    public void points_are_built_longitude_first()
    {
        var point = Wgs84.Point(42.8746, 74.5698);
        point.X.ShouldBe(74.5698);
        point.Y.ShouldBe(42.8746);
        point.SRID.ShouldBe(4326);
    }
}
