using SeizureIntel.Facilities;
using SeizureIntel.Geography;

namespace SeizureIntel.Tests.Facilities;

/// <summary>
/// Facility locations against what is known (shared/data/facilities-kg.md): the founding document places SIZO-1 in
/// Bishkek; no public source gives any other facility's location. Nothing may be more precise than its source.
/// </summary>
public sealed class FacilityLocationTests
{
    private static readonly FacilityCatalog Catalog = FacilityCatalog.LoadEmbedded();
    private static readonly Oblasts Oblasts = Oblasts.LoadEmbedded();

    [Fact]
    public void every_located_facility_lies_in_its_stated_oblast()
    {
        var located = Catalog.All.Where(f => f.Location.ToPoint() is not null).ToList();
        located.ShouldNotBeEmpty();
        foreach (var facility in located)
        {
            facility.Oblast.ShouldNotBeNull(facility.Code);
            var oblast = Oblasts.Find(facility.Oblast)!;
            oblast.Geometry.Covers(facility.Location.ToPoint()).ShouldBeTrue(facility.Code); // the polygon itself, not Locate
            Oblasts.Locate(facility.Location.Lat!.Value, facility.Location.Lon!.Value)!.Code.ShouldBe(facility.Oblast, facility.Code);
        }
    }

    [Fact]
    public void every_stated_oblast_is_one_of_the_seven()
    {
        foreach (var facility in Catalog.All.Where(f => f.Oblast is not null))
            Oblasts.Find(facility.Oblast).ShouldNotBeNull($"{facility.Code}: {facility.Oblast}");
    }

    [Fact]
    public void SIZO_1_is_known_to_the_town_only_bishkek_in_chuy()
    {
        var sizo = Catalog.Resolve("No. 21")!;
        sizo.Oblast.ShouldBe("KG-C");
        sizo.Location.Precision.ShouldBe(LocationPrecision.Town);
        // Bishkek's centre, within a few kilometres (the city spans about 20 km).
        sizo.Location.Lat!.Value.ShouldBe(42.87, tolerance: 0.05);
        sizo.Location.Lon!.Value.ShouldBe(74.59, tolerance: 0.05);
        sizo.Location.Source.ShouldContain("Bishkek");
        sizo.Location.Source.ShouldContain("Founding document");
        sizo.Location.Source.ShouldContain("town centre");
    }

    [Fact]
    public void no_other_facility_has_a_location_or_an_oblast()
    {
        foreach (var facility in Catalog.All.Where(f => f.Code != "SIZO-1"))
        {
            facility.Location.Precision.ShouldBe(LocationPrecision.Unknown, facility.Code);
            facility.Location.ToPoint().ShouldBeNull(facility.Code);
            facility.Oblast.ShouldBeNull(facility.Code);
            facility.Location.Source.ShouldNotBeNullOrWhiteSpace(facility.Code);
        }
    }

    [Theory]
    [InlineData(null, null, LocationPrecision.Town, "a gazetteer", "has no point")]
    [InlineData(42.87, null, LocationPrecision.Exact, "a survey", "has no point")]
    [InlineData(42.87, 74.6, LocationPrecision.Unknown, "a guess", "would present a guess")]
    [InlineData(42.87, 74.6, LocationPrecision.Oblast, "a guess", "would present a guess")]
    [InlineData(42.87, 74.6, LocationPrecision.Town, " ", "has no source")]
    [InlineData(95.0, 74.6, LocationPrecision.Town, "a gazetteer", "impossible point")]
    public void the_catalogue_refuses_a_location_more_precise_than_its_source(
        double? lat, double? lon, LocationPrecision precision, string source, string why)
    {
        var facility = Catalog.Resolve("IK-1")! with { Location = new FacilityLocation(lat, lon, precision, source) };
        Should.Throw<InvalidOperationException>(() => new FacilityCatalog("test", [facility])).Message.ShouldContain(why);
    }

    [Fact]
    public void the_catalogue_refuses_an_oblast_precision_without_an_oblast()
    {
        var facility = Catalog.Resolve("IK-1")! with
        {
            Location = new FacilityLocation(null, null, LocationPrecision.Oblast, "a report naming the oblast only"),
        };
        Should.Throw<InvalidOperationException>(() => new FacilityCatalog("test", [facility]));
        Should.NotThrow(() => new FacilityCatalog("test", [facility with { Oblast = "KG-C" }]));
    }
}
