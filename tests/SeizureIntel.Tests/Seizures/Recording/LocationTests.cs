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

    [Fact]
    public async Task removing_a_wrong_point_places_the_seizure_at_its_facility_in_the_facilitys_oblast()
    {
        // Recorded at SIZO-1 (Bishkek, stated oblast KG-C) with a GPS reading taken in Osh by mistake.
        var a = await RecordAsync(AtPoint(40.513, 72.816, facilityId: "SIZO-1", grams: 7m));
        await WaitForProjectionsAsync();
        (await GetJsonAsync($"/api/seizures/{a.Id}")).GetProperty("oblast").GetString().ShouldBe("KG-O");

        await ChangeAsync(a.Id, "corrections", new { reason = "the GPS fix was taken at the Osh office", removeLocation = true }, 1);
        await WaitForProjectionsAsync();

        var seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("location").ValueKind.ShouldBe(JsonValueKind.Null);
        seizure.GetProperty("oblast").GetString().ShouldBe("KG-C");
        var history = await GetJsonAsync($"/api/seizures/{a.Id}/history");
        var changes = history.GetProperty("events").EnumerateArray().Last().GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("field").GetString()!, c => (c.GetProperty("from").GetString(), c.GetProperty("to").GetString()));
        changes["location"].ShouldBe(("40.513, 72.816", null));
        changes["oblast"].ShouldBe(("KG-O", "KG-C"));
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("byOblast").EnumerateArray()
            .Select(r => (r.GetProperty("oblast").GetString(), r.GetProperty("grams").GetDecimal())).ShouldBe([("KG-C", 7m)]);

        // On the map it is at SIZO-1's town point now, with that point's precision, and no longer in Osh.
        var osh = await GetJsonAsync("/api/seizures/near?lat=40.513&lon=72.816&radiusKm=5");
        osh.GetProperty("features").GetArrayLength().ShouldBe(0);
        var bishkek = (await GetJsonAsync("/api/seizures/near?lat=42.873&lon=74.6&radiusKm=1")).GetProperty("features").EnumerateArray().ShouldHaveSingleItem();
        bishkek.GetProperty("properties").GetProperty("precision").GetString().ShouldNotBe("exact");
    }

    [Fact]
    public async Task a_point_cannot_be_removed_from_a_seizure_without_a_facility_nor_given_with_a_new_point()
    {
        var a = await RecordAsync(AtPoint(40.513, 72.816));
        var refused = await ChangeAsync(a.Id, "corrections", new { reason = "wrong", removeLocation = true }, 1, status: 409);
        ErrorFields(refused).ShouldBe(["removeLocation"]);
        var both = await ChangeAsync(a.Id, "corrections", new { reason = "wrong", removeLocation = true, location = new { lat = 42.52, lon = 72.24 } }, 1,
            status: 400);
        ErrorFields(both).ShouldBe(["removeLocation"]);
        var seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("version").GetInt64().ShouldBe(1);
        seizure.GetProperty("location").GetProperty("lat").GetDouble().ShouldBe(40.513);

        // With a facility named in the same correction it goes.
        await ChangeAsync(a.Id, "corrections", new { reason = "it was found at IK-3's gate", removeLocation = true, facilityId = "IK-3" }, 1);
        seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("location").ValueKind.ShouldBe(JsonValueKind.Null);
        seizure.GetProperty("facilityId").GetString().ShouldBe("IK-3");
    }
}
