using System.Text.Json;
using Alba;
using SeizureIntel.Geography;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Geography;

/// <summary>GET /api/oblasts and /api/oblasts/{code}: the list, and one boundary as GeoJSON for a map.</summary>
public sealed class OblastEndpointTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task lists_the_seven_oblasts_by_code_and_name()
    {
        var list = await GetJsonAsync("/api/oblasts");
        list.EnumerateArray().Select(o => o.GetProperty("code").GetString()).ShouldBe(["KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y"]);
        list.EnumerateArray().First(o => o.GetProperty("code").GetString() == "KG-C").GetProperty("name").GetString().ShouldBe("Chuy Region");
    }

    [Fact]
    public async Task one_oblast_is_a_geojson_feature_longitude_first_with_its_attribution()
    {
        var result = await Host.Scenario(s => { s.Get.Url("/api/oblasts/kg-y"); s.StatusCodeShouldBeOk(); });
        result.Context.Response.ContentType.ShouldBe("application/geo+json");
        var feature = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        feature.GetProperty("type").GetString().ShouldBe("Feature");
        feature.GetProperty("properties").GetProperty("code").GetString().ShouldBe("KG-Y");
        feature.GetProperty("properties").GetProperty("name").GetString().ShouldBe("Issyk-Kul Region");
        feature.GetProperty("properties").GetProperty("attribution").GetString().ShouldBe(Oblasts.Attribution);

        var geometry = feature.GetProperty("geometry");
        geometry.GetProperty("type").GetString().ShouldBe("Polygon");
        foreach (var position in geometry.GetProperty("coordinates")[0].EnumerateArray())
        {
            position[0].GetDouble().ShouldBeInRange(69.26, 80.23); // longitude
            position[1].GetDouble().ShouldBeInRange(39.17, 43.27); // latitude
        }
    }

    [Fact]
    public async Task an_unknown_oblast_is_404()
    {
        await Host.Scenario(s => { s.Get.Url("/api/oblasts/KG-GB"); s.StatusCodeShouldBe(404); });
    }

    [Fact]
    public async Task the_openapi_document_describes_the_oblast_routes()
    {
        var paths = (await GetJsonAsync("/openapi/v1.json")).GetProperty("paths");
        paths.TryGetProperty("/api/oblasts", out _).ShouldBeTrue();
        paths.GetProperty("/api/oblasts/{code}").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("application/geo+json", out _).ShouldBeTrue();
    }
}
