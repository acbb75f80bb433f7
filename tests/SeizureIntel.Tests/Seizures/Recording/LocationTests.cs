using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Recording;

public sealed class LocationTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static object AtPoint(double lat, double lon, bool? crossBorder = null, string? facilityId = null, decimal grams = 100m) => new
    {
        facilityId,
        occurredAt = "2015-05-05T06:00:00+06:00",
        substance = "heroin",
        quantity = new { value = grams, unit = "g" },
        detection = "intelligence-led",
        location = new { lat, lon },
        crossBorder,
    };

    [Fact]
    public async Task a_seizure_outside_any_facility_takes_its_oblast_from_its_point()
    {
        // A drug-control road checkpoint near Osh, and a raid in Karakol.
        var osh = await RecordAsync(AtPoint(40.513, 72.816));
        await RecordAsync(AtPoint(42.49, 78.39, grams: 20m));
        await RecordAsync(Body(facilityId: "SIZO-1", value: 5m, unit: "g")); // SIZO-1: stated oblast KG-C
        await RecordAsync(Body(facilityId: "IK-3", value: 1m, unit: "g"));   // no known location: oblast unknown
        await WaitForProjectionsAsync();

        var seizure = await GetJsonAsync($"/api/seizures/{osh.Id}");
        seizure.GetProperty("oblast").GetString().ShouldBe("KG-O");
        seizure.GetProperty("facilityId").ValueKind.ShouldBe(JsonValueKind.Null);
        seizure.GetProperty("location").GetProperty("lon").GetDouble().ShouldBe(72.816);

        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("byOblast").EnumerateArray().ToDictionary(r => r.GetProperty("oblast").GetString()!, r => r.GetProperty("grams").GetDecimal())
            .ShouldBe(new Dictionary<string, decimal> { ["KG-O"] = 100m, ["KG-Y"] = 20m, ["KG-C"] = 5m, ["unknown"] = 1m }, ignoreOrder: true);
        year.GetProperty("byFacility").EnumerateArray().Single(r => r.GetProperty("facilityId").GetString() == "none")
            .GetProperty("count").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task a_point_outside_kyrgyzstan_is_refused_unless_flagged_cross_border()
    {
        // Almaty, Kazakhstan
        var refused = await Host.Scenario(s => { s.Post.Json(AtPoint(43.24, 76.95)).ToUrl("/api/seizures"); s.StatusCodeShouldBe(400); });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await refused.ReadAsTextAsync())).ShouldBe(["location"]);
        (await StreamCountAsync()).ShouldBe(0);

        var accepted = await RecordAsync(AtPoint(43.24, 76.95, crossBorder: true));
        var seizure = await GetJsonAsync($"/api/seizures/{accepted.Id}");
        seizure.GetProperty("oblast").ValueKind.ShouldBe(JsonValueKind.Null);
        seizure.GetProperty("location").GetProperty("crossBorder").GetBoolean().ShouldBeTrue();
    }

    [Theory]
    [InlineData(91, 74, "location.lat")]
    [InlineData(42, 181, "location.lon")]
    public async Task impossible_coordinates_name_their_field(double lat, double lon, string field)
    {
        var refused = await Host.Scenario(s => { s.Post.Json(AtPoint(lat, lon)).ToUrl("/api/seizures"); s.StatusCodeShouldBe(400); });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await refused.ReadAsTextAsync())).ShouldBe([field]);
    }

    [Fact]
    public async Task neither_facility_nor_location_is_refused()
    {
        var refused = await Host.Scenario(s =>
        {
            s.Post.Json(new { occurredAt = "2015-05-05T06:00:00+06:00", substance = "heroin", quantity = new { value = 1, unit = "g" }, detection = "other" })
                .ToUrl("/api/seizures");
            s.StatusCodeShouldBe(400);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await refused.ReadAsTextAsync())).ShouldBe(["facilityId"]);
    }

    [Fact]
    public async Task correcting_the_point_moves_the_seizure_to_the_new_oblast()
    {
        var a = await RecordAsync(AtPoint(40.513, 72.816));
        await ChangeAsync(a.Id, "corrections", new { reason = "GPS of the wrong checkpoint", location = new { lat = 42.52, lon = 72.24 } }, 1);
        await WaitForProjectionsAsync();
        (await GetJsonAsync($"/api/seizures/{a.Id}")).GetProperty("oblast").GetString().ShouldBe("KG-T");
        var oblasts = (await GetJsonAsync("/api/years/2015/summary")).GetProperty("byOblast").EnumerateArray().Select(r => r.GetProperty("oblast").GetString());
        oblasts.ShouldBe(["KG-T"]);
    }
}
