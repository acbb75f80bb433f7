using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Facilities;

/// <summary>GET /api/facilities in its two representations, chosen by the Accept header.</summary>
public sealed class FacilityGeoJsonTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(JsonElement Body, string ContentType, string Vary)> GetFacilitiesAsync(string? accept)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/facilities");
            if (accept is not null) s.WithRequestHeader("Accept", accept);
            s.StatusCodeShouldBeOk();
        });
        var response = result.Context.Response;
        return (JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync()), response.ContentType ?? "",
            response.Headers.Vary.ToString());
    }

    [Fact]
    public async Task the_plain_json_answer_carries_oblast_and_location()
    {
        var (body, contentType, vary) = await GetFacilitiesAsync(null);
        contentType.ShouldStartWith("application/json");
        vary.ShouldContain("Accept");
        var facilities = body.GetProperty("facilities").EnumerateArray().ToDictionary(f => f.GetProperty("code").GetString()!);
        facilities.Count.ShouldBe(32);

        var sizo = facilities["SIZO-1"];
        sizo.GetProperty("oblast").GetString().ShouldBe("KG-C");
        var location = sizo.GetProperty("location");
        location.GetProperty("precision").GetString().ShouldBe("town");
        location.GetProperty("lat").GetDouble().ShouldBe(42.873);
        location.GetProperty("lon").GetDouble().ShouldBe(74.6);
        location.GetProperty("source").GetString()!.ShouldContain("Bishkek");
        sizo.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ShouldContain("No. 21");

        var colony = facilities["IK-1"];
        colony.GetProperty("oblast").ValueKind.ShouldBe(JsonValueKind.Null);
        colony.GetProperty("location").GetProperty("precision").GetString().ShouldBe("unknown");
        colony.GetProperty("location").GetProperty("lat").ValueKind.ShouldBe(JsonValueKind.Null);
        colony.GetProperty("location").GetProperty("lon").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task geojson_is_an_rfc_7946_feature_collection_longitude_first()
    {
        var (body, contentType, _) = await GetFacilitiesAsync("application/geo+json");
        contentType.ShouldStartWith("application/geo+json");
        body.GetProperty("type").GetString().ShouldBe("FeatureCollection");
        var features = body.GetProperty("features").EnumerateArray().ToList();
        features.Count.ShouldBe(32);
        foreach (var feature in features)
        {
            feature.GetProperty("type").GetString().ShouldBe("Feature");
            // RFC 7946 §3.2: "geometry" is always present, null when the position is unknown.
            feature.GetProperty("geometry").ValueKind.ShouldBeOneOf(JsonValueKind.Object, JsonValueKind.Null);
            var properties = feature.GetProperty("properties");
            foreach (var name in new[] { "code", "name", "type", "state", "aliases", "oblast", "precision", "source" })
                properties.TryGetProperty(name, out _).ShouldBeTrue(name);
            properties.GetProperty("aliases").ValueKind.ShouldBe(JsonValueKind.Array);
        }

        var sizo = features.Single(f => f.GetProperty("properties").GetProperty("code").GetString() == "SIZO-1");
        var geometry = sizo.GetProperty("geometry");
        geometry.GetProperty("type").GetString().ShouldBe("Point");
        var coordinates = geometry.GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToList();
        coordinates.ShouldBe([74.6, 42.873]); // [longitude, latitude]
        sizo.GetProperty("properties").GetProperty("oblast").GetString().ShouldBe("KG-C");
        sizo.GetProperty("properties").GetProperty("precision").GetString().ShouldBe("town");

        var colony = features.Single(f => f.GetProperty("properties").GetProperty("code").GetString() == "IK-1");
        colony.GetProperty("geometry").ValueKind.ShouldBe(JsonValueKind.Null);
        colony.GetProperty("properties").GetProperty("precision").GetString().ShouldBe("unknown");
        colony.GetProperty("properties").GetProperty("oblast").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("application/json", false)]
    [InlineData("*/*", false)]
    [InlineData("application/*", false)]
    [InlineData("application/geo+json", true)]
    [InlineData("application/geo+json, application/json", true)]
    [InlineData("application/json;q=0.5, application/geo+json", true)]
    [InlineData("application/json, application/geo+json;q=0.5", false)]
    [InlineData("application/geo+json;q=0", false)]
    public async Task the_accept_header_chooses_the_representation(string? accept, bool geoJson)
    {
        var (body, contentType, _) = await GetFacilitiesAsync(accept);
        contentType.ShouldStartWith(geoJson ? "application/geo+json" : "application/json");
        body.TryGetProperty(geoJson ? "features" : "facilities", out _).ShouldBeTrue();
    }
}
