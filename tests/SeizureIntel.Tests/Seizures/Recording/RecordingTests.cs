using System.Net;
using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Recording;

public sealed class RecordingTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task records_a_seizure_and_answers_201_with_id_reference_version_and_location()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Body(notes: "parcel for cell 12")).ToUrl("/api/seizures");
            s.WithRequestHeader("X-User", "officer-17");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        var created = result.ReadAsJson<SeizureCreatedBody>()!;

        created.Id.Version.ShouldBe(7);
        created.Reference.ShouldBe("SSEP-2015-000001");
        created.Version.ShouldBe(1);
        result.Context.Response.Headers.Location.ToString().ShouldBe($"/api/seizures/{created.Id}");

        var seizure = await GetJsonAsync($"/api/seizures/{created.Id}");
        seizure.GetProperty("agency").GetString().ShouldBe("SSEP");
        seizure.GetProperty("reference").GetString().ShouldBe("SSEP-2015-000001");
        seizure.GetProperty("facilityId").GetString().ShouldBe("SIZO-1");
        seizure.GetProperty("substance").GetString().ShouldBe("cannabis-resin");
        seizure.GetProperty("detection").GetString().ShouldBe("visitor-search");
        seizure.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(1.25m);
        seizure.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe("kg");
        seizure.GetProperty("grams").GetDecimal().ShouldBe(1250m);
        seizure.GetProperty("notes").GetString().ShouldBe("parcel for cell 12");
        seizure.GetProperty("recordedBy").GetString().ShouldBe("officer-17");
        seizure.GetProperty("version").GetInt64().ShouldBe(1);
        seizure.GetProperty("localDate").GetString().ShouldBe("2015-03-14");
        DateTimeOffset.Parse(seizure.GetProperty("occurredAt").GetString()!).ShouldBe(new DateTimeOffset(2015, 3, 14, 4, 30, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("No. 21")]
    [InlineData("СИЗО-1")]
    [InlineData("sizo-1")]
    [InlineData("SIZO-21")]
    public async Task an_alias_resolves_to_its_facility(string alias)
    {
        var created = await RecordAsync(Body(facilityId: alias));
        (await GetJsonAsync($"/api/seizures/{created.Id}")).GetProperty("facilityId").GetString().ShouldBe("SIZO-1");
    }

    [Theory]
    [InlineData("mg", 2500, 2.5)]
    [InlineData("g", 12.75, 12.75)]
    [InlineData("kg", 0.125, 125)]
    public async Task mass_units_convert_exactly(string unit, double value, double grams)
    {
        var created = await RecordAsync(Body(unit: unit, value: (decimal)value));
        var seizure = await GetJsonAsync($"/api/seizures/{created.Id}");
        seizure.GetProperty("grams").GetDecimal().ShouldBe((decimal)grams);
        seizure.GetProperty("gramsEstimated").GetBoolean().ShouldBeFalse();
    }

    [Theory]
    [InlineData("ml")]
    [InlineData("l")]
    [InlineData("tablet")]
    [InlineData("unit")]
    [InlineData("plant")]
    public async Task other_units_are_accepted_and_keep_their_value_and_unit(string unit)
    {
        var created = await RecordAsync(Body(unit: unit, value: 3m, substance: "tramadol"));
        var seizure = await GetJsonAsync($"/api/seizures/{created.Id}");
        seizure.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(3m);
        seizure.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe(unit);
    }

    [Fact]
    public async Task an_unknown_seizure_is_404_problem_details()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/seizures/{Guid.CreateVersion7()}");
            s.StatusCodeShouldBe(404);
        });
        (await result.ReadAsTextAsync()).ShouldContain("Unknown seizure");
    }
}
