using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Demo;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Trends;

public sealed class ComparisonTests(NodeFixture fixture) : NodeTest(fixture), NodeTestAccess
{
    Task<SeizureCreatedBody> NodeTestAccess.RecordAsync(object body) => RecordAsync(body);
    Task NodeTestAccess.ChangeAsync(Guid id, string action, object body, long version) => ChangeAsync(id, action, body, version);
    Task NodeTestAccess.WaitForProjectionsAsync() => WaitForProjectionsAsync();

    private static (int Count, decimal Grams) Side(JsonElement row, string side) =>
        (row.GetProperty(side).GetProperty("count").GetInt32(), row.GetProperty(side).GetProperty("grams").GetDecimal());

    [Fact]
    public async Task the_demo_data_reproduce_the_founding_documents_119_9_kg_to_140_9_kg_plus_17_5_percent()
    {
        await DemoData.LoadAsync(Host.Services, CancellationToken.None);
        await WaitForProjectionsAsync();

        var answer = await GetJsonAsync("/api/compare?year=2015&baseline=2014&by=group");
        var total = answer.GetProperty("total");
        Side(total, "baseline").Grams.ShouldBe(119_900m);
        Side(total, "current").Grams.ShouldBe(140_900m);
        total.GetProperty("change").GetProperty("grams").GetDecimal().ShouldBe(21_000m);
        total.GetProperty("changePercent").GetProperty("grams").GetDecimal().ShouldBe(17.5m);
        // The rows add up to the total.
        answer.GetProperty("rows").EnumerateArray().Sum(r => Side(r, "current").Grams).ShouldBe(140_900m);
        answer.GetProperty("rows").EnumerateArray().Sum(r => Side(r, "baseline").Count).ShouldBe(Side(total, "baseline").Count);
    }

    [Theory]
    [InlineData("facility")]
    [InlineData("substance")]
    [InlineData("detection")]
    public async Task rows_equal_the_tests_own_year_sums_after_corrections_voids_duplicates_and_lab_results(string by)
    {
        var seizures = await AnalyticsScenario.RunAsync(this, 42, seed: 21);
        var answer = await GetJsonAsync($"/api/compare?year=2015&baseline=2014&by={by}");
        Func<ExpectedSeizure, string> key = by switch { "facility" => s => s.Raw.Facility, "substance" => s => s.Substance, _ => s => s.Raw.Detection };
        var counted = seizures.Where(s => s.Counted).ToList();
        (int, decimal) Sum(IEnumerable<ExpectedSeizure> xs) => (xs.Count(), xs.Sum(s => s.Grams ?? 0));

        var expected = counted.Where(s => s.Raw.Year is 2014 or 2015).Select(key).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = answer.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("key").GetString()).ShouldBe(expected);
        foreach (var row in rows.Append(answer.GetProperty("total")))
        {
            var k = row.GetProperty("key").GetString()!;
            var mine = k == "total" ? counted : counted.Where(s => key(s) == k).ToList();
            var b = Sum(mine.Where(s => s.Raw.Year == 2014));
            var c = Sum(mine.Where(s => s.Raw.Year == 2015));
            Side(row, "baseline").ShouldBe(b, k);
            Side(row, "current").ShouldBe(c, k);
            Side(row, "change").ShouldBe((c.Item1 - b.Item1, c.Item2 - b.Item2), k);
            var pct = row.GetProperty("changePercent");
            if (b.Item2 == 0) pct.GetProperty("grams").ValueKind.ShouldBe(JsonValueKind.Null);
            else pct.GetProperty("grams").GetDecimal().ShouldBe(Math.Round((c.Item2 - b.Item2) * 100m / b.Item2, 1, MidpointRounding.AwayFromZero), k);
            if (b.Item1 == 0) pct.GetProperty("count").ValueKind.ShouldBe(JsonValueKind.Null);
            else pct.GetProperty("count").GetDecimal().ShouldBe(Math.Round((c.Item1 - b.Item1) * 100m / b.Item1, 1, MidpointRounding.AwayFromZero), k);
        }
    }

    [Fact]
    public async Task a_key_only_in_the_current_year_has_a_null_percent_change()
    {
        await RecordAsync(Body(occurredAt: "2015-06-01T10:00:00+06:00", substance: "cocaine", value: 5, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-06-01T10:00:00+06:00", substance: "heroin", value: 4, unit: "g"));
        await WaitForProjectionsAsync();
        var rows = (await GetJsonAsync("/api/compare?year=2015&by=substance")).GetProperty("rows").EnumerateArray().ToList();
        var cocaine = rows.Single(r => r.GetProperty("key").GetString() == "cocaine");
        cocaine.GetProperty("changePercent").GetProperty("grams").ValueKind.ShouldBe(JsonValueKind.Null);
        var heroin = rows.Single(r => r.GetProperty("key").GetString() == "heroin");
        heroin.GetProperty("changePercent").GetProperty("grams").GetDecimal().ShouldBe(-100m);
    }

    [Theory]
    [InlineData("baseline=2014", "year")]
    [InlineData("year=20x5", "year")]
    [InlineData("year=2015&baseline=2015", "baseline")]
    [InlineData("year=2015&by=colour", "by")]
    public async Task bad_parameters_are_refused_naming_the_parameter(string query, string field)
    {
        var result = await Host.Scenario(s => { s.Get.Url("/api/compare?" + query); s.StatusCodeShouldBe(400); });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe([field]);
    }
}
