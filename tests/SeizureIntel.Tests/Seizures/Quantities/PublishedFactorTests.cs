using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Quantities;

public sealed class PublishedFactorTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task ecstasy_tablets_weigh_a_quarter_gram_each_as_an_estimate_of_the_latest_table_and_other_tablets_have_no_mass()
    {
        var ecstasy = await RecordAsync(Body(substance: "ecstasy", value: 40m, unit: "tablet"));
        var meth = await RecordAsync(Body(substance: "methamphetamine", value: 40m, unit: "tablet"));
        var view = await GetJsonAsync($"/api/seizures/{ecstasy.Id}");
        view.GetProperty("grams").GetDecimal().ShouldBe(10m); // 40 × 250 mg
        view.GetProperty("gramsEstimated").GetBoolean().ShouldBeTrue();
        view.GetProperty("gramsTableVersion").GetString().ShouldBe("2026.2");
        (await GetJsonAsync($"/api/seizures/{meth.Id}")).GetProperty("grams").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        await WaitForProjectionsAsync();
        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("grams").GetDecimal().ShouldBe(10m);
        year.GetProperty("withoutMass").GetInt32().ShouldBe(1);
    }
}
