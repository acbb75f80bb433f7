using System.Net;
using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Finding;

public sealed class FindingTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task a_seizure_is_found_by_its_reference_in_any_case_with_its_version()
    {
        var first = await RecordAsync(Body());
        var second = await RecordAsync(Body(substance: "heroin", value: 12, unit: "g"));

        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/seizures/by-reference/{second.Reference.ToLowerInvariant()}");
            s.StatusCodeShouldBe(HttpStatusCode.OK);
        });
        var found = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        found.GetProperty("id").GetGuid().ShouldBe(second.Id);
        found.GetProperty("substance").GetString().ShouldBe("heroin");
        result.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
        first.Reference.ShouldNotBe(second.Reference);

        await Host.Scenario(s =>
        {
            s.Get.Url("/api/seizures/by-reference/SSEP-1999-000001");
            s.StatusCodeShouldBe(HttpStatusCode.NotFound);
        });
    }

    [Fact]
    public async Task russian_names_and_abbreviations_are_recorded_as_codes()
    {
        var created = await RecordAsync(Body(substance: "Героин", value: 3, unit: "гр", detection: "Личный досмотр"));
        var seizure = await GetJsonAsync($"/api/seizures/{created.Id}");
        seizure.GetProperty("substance").GetString().ShouldBe("heroin");
        seizure.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe("g");
        seizure.GetProperty("detection").GetString().ShouldBe("body-search");
        seizure.GetProperty("grams").GetDecimal().ShouldBe(3m);
    }

    [Fact]
    public async Task a_near_miss_code_is_refused_with_a_suggestion_and_nothing_written()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Body(substance: "heroine")).ToUrl("/api/seizures");
            s.StatusCodeShouldBe(HttpStatusCode.BadRequest);
        });
        var problem = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        problem.GetProperty("errors").GetProperty("substance")[0].GetString()!.ShouldContain("did you mean 'heroin'");
        (await StreamCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_search_filters_by_year_facility_substance_and_reference_prefix_newest_first()
    {
        var a = await RecordAsync(Body(occurredAt: "2015-03-01T10:00:00+06:00", substance: "heroin"));
        var b = await RecordAsync(Body(occurredAt: "2015-06-01T10:00:00+06:00", substance: "heroin", facilityId: "SIZO-1"));
        var c = await RecordAsync(Body(occurredAt: "2014-06-01T10:00:00+06:00", substance: "heroin"));
        var d = await RecordAsync(Body(occurredAt: "2015-07-01T10:00:00+06:00", substance: "cannabis-resin"));

        static List<Guid> Ids(JsonElement list) => list.GetProperty("seizures").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();

        Ids(await GetJsonAsync("/api/seizures?year=2015&substance=Героин")).ShouldBe([b.Id, a.Id]);
        Ids(await GetJsonAsync("/api/seizures?year=2014")).ShouldBe([c.Id]);
        Ids(await GetJsonAsync("/api/seizures?facility=No.%2021&substance=cannabis-resin")).ShouldBe([d.Id]);
        Ids(await GetJsonAsync("/api/seizures?q=ssep-2014")).ShouldBe([c.Id]);
        var limited = await GetJsonAsync("/api/seizures?limit=2");
        Ids(limited).ShouldBe([d.Id, b.Id]);
        limited.GetProperty("more").GetBoolean().ShouldBeTrue();

        var bad = await Host.Scenario(s =>
        {
            s.Get.Url("/api/seizures?limit=0&substance=nothing&facility=nowhere");
            s.StatusCodeShouldBe(HttpStatusCode.BadRequest);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await bad.ReadAsTextAsync())).ShouldBe(["facility", "limit", "substance"]);
    }
}
