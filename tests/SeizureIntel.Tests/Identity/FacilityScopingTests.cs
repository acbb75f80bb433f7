using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// Facility scoping on every read that lists seizures: an officer assigned to some facilities finds, by search, by
/// reference and on the map (near, within an oblast, within a polygon) exactly the seizures of those facilities — the
/// same rule as for one seizure by id (<see cref="Actor.MayActAt"/>) — while roles that read across the node, and an
/// officer assigned to every facility, see them all.
/// </summary>
public sealed class FacilityScopingTests(NodeFixture fixture) : NodeTest(fixture)
{
    private sealed record Placed(Guid Id, string Reference, string? Facility);

    private static object At(string? facility, double lat, double lon) => new
    {
        facilityId = facility,
        occurredAt = "2015-05-05T06:00:00+06:00",
        substance = "heroin",
        quantity = new { value = 12.5m, unit = "g" },
        detection = "intelligence-led",
        location = new { lat, lon },
    };

    private async Task<List<Placed>> PlaceAsync()
    {
        var placed = new List<Placed>();
        foreach (var (facility, lat, lon) in new (string?, double, double)[]
                 { ("SIZO-1", 42.87, 74.59), ("SIZO-1", 42.88, 74.61), ("IK-1", 42.86, 74.57), (null, 42.89, 74.60) })
        {
            var created = await RecordAsync(At(facility, lat, lon));
            placed.Add(new Placed(created.Id, created.Reference, facility));
        }
        await WaitForProjectionsAsync();
        return placed;
    }

    private HttpClient As(string token)
    {
        var http = Host.Server.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private const string Square = """{"type":"Polygon","coordinates":[[[74.0,42.5],[75.0,42.5],[75.0,43.2],[74.0,43.2],[74.0,42.5]]]}""";

    /// <summary>The seizure ids each listing read answers to this token.</summary>
    private static async Task<Dictionary<string, List<Guid>>> ListingsAsync(HttpClient http)
    {
        var listings = new Dictionary<string, List<Guid>>();
        var search = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync("/api/seizures?year=2015&limit=500"));
        listings["search"] = search.GetProperty("seizures").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).Order().ToList();
        static List<Guid> Features(string geojson) => JsonSerializer.Deserialize<JsonElement>(geojson).GetProperty("features").EnumerateArray()
            .Select(f => Guid.Parse(f.GetProperty("properties").GetProperty("seizureId").GetString()!)).Order().ToList();
        listings["near"] = Features(await http.GetStringAsync("/api/seizures/near?lat=42.87&lon=74.59&radiusKm=50"));
        using var within = await http.PostAsync("/api/seizures/within", new StringContent(Square, Encoding.UTF8, "application/json"));
        within.StatusCode.ShouldBe(HttpStatusCode.OK);
        listings["within polygon"] = Features(await within.Content.ReadAsStringAsync());
        return listings;
    }

    [Fact]
    public async Task an_officer_lists_and_maps_only_the_assigned_facilities_seizures_others_see_them_all()
    {
        var placed = await PlaceAsync();
        var all = placed.Select(p => p.Id).Order().ToList();
        // Expected from the inputs: the seizures recorded at SIZO-1 (the one without a facility belongs to no officer).
        var atSizo1 = placed.Where(p => p.Facility == "SIZO-1").Select(p => p.Id).Order().ToList();
        atSizo1.Count.ShouldBe(2);

        // Assigned as written in the catalogue, and in another case: the same facility.
        foreach (var assignment in new[] { "SIZO-1", "sizo-1" })
        {
            var officer = await TestTokens.ClientTokenAsync(Host, "officer-scope-" + assignment, [Roles.Officer], [assignment]);
            using var http = As(officer);
            foreach (var (read, ids) in await ListingsAsync(http)) ids.ShouldBe(atSizo1, $"{assignment}: {read}");

            var elsewhere = placed.First(p => p.Facility == "IK-1");
            (await http.GetAsync($"/api/seizures/by-reference/{elsewhere.Reference}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await http.GetAsync($"/api/seizures/{elsewhere.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await http.GetAsync($"/api/seizures/by-reference/{placed[0].Reference}")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await http.GetAsync("/api/seizures?facility=IK-1")).StatusCode.ShouldBe(HttpStatusCode.OK);
            JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync("/api/seizures?facility=IK-1")).GetProperty("count").GetInt32().ShouldBe(0);
        }

        // An officer assigned to every facility, and a role that reads across the node, see all four.
        var everywhere = await TestTokens.ClientTokenAsync(Host, "officer-scope-all", [Roles.Officer], [NodeClaims.AllFacilities]);
        var custodian = await TestTokens.ClientTokenAsync(Host, "custodian-scope", [Roles.Custodian], []);
        foreach (var token in new[] { everywhere, custodian })
        {
            using var http = As(token);
            foreach (var (read, ids) in await ListingsAsync(http)) ids.ShouldBe(all, read);
        }

        // An officer assigned to no facility lists nothing.
        var nowhere = await TestTokens.ClientTokenAsync(Host, "officer-scope-none", [Roles.Officer], []);
        using (var http = As(nowhere))
            foreach (var (read, ids) in await ListingsAsync(http)) ids.ShouldBeEmpty(read);
    }
}
