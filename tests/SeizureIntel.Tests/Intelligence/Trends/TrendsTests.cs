using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Trends;

public sealed class TrendsTests(NodeFixture fixture) : NodeTest(fixture), NodeTestAccess
{
    Task<SeizureCreatedBody> NodeTestAccess.RecordAsync(object body) => RecordAsync(body);
    Task NodeTestAccess.ChangeAsync(Guid id, string action, object body, long version) => ChangeAsync(id, action, body, version);
    Task NodeTestAccess.WaitForProjectionsAsync() => WaitForProjectionsAsync();

    private static List<(string Period, int Count, decimal Grams, decimal Lab)> Series(JsonElement answer) =>
        answer.GetProperty("series").EnumerateArray().Select(p => (p.GetProperty("period").GetString()!, p.GetProperty("count").GetInt32(),
            p.GetProperty("grams").GetDecimal(), p.GetProperty("labConfirmedGrams").GetDecimal())).ToList();

    /// <summary>The test's own series: every month from..to (inclusive), labelled by <paramref name="label"/>, zeros included.</summary>
    private static List<(string, int, decimal, decimal)> Expected(IEnumerable<ExpectedSeizure> seizures, int fromYear, int fromMonth, int toYear,
        int toMonth, Func<int, int, string> label)
    {
        var counted = seizures.Where(s => s.Counted).ToList();
        var periods = new List<string>();
        var sums = new Dictionary<string, (int, decimal, decimal)>();
        for (var (y, m) = (fromYear, fromMonth); y < toYear || (y == toYear && m <= toMonth); (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1))
        {
            var p = label(y, m);
            if (!sums.ContainsKey(p)) { periods.Add(p); sums[p] = (0, 0m, 0m); }
            var inMonth = counted.Where(s => s.Raw.Year == y && s.Raw.Month == m).ToList();
            var (c, g, l) = sums[p];
            sums[p] = (c + inMonth.Count, g + inMonth.Sum(s => s.Grams ?? 0), l + inMonth.Sum(s => s.LabGrams ?? 0));
        }
        return periods.Select(p => (p, sums[p].Item1, sums[p].Item2, sums[p].Item3)).ToList();
    }

    [Fact]
    public async Task monthly_quarterly_and_yearly_series_equal_the_tests_own_sums_with_empty_periods_as_zeros()
    {
        var seizures = await AnalyticsScenario.RunAsync(this, 48, seed: 5);
        seizures.ShouldContain(s => s.Counted && s.Raw.OccurredAt.UtcDateTime.Year != s.Raw.Year); // a local year differs from the UTC one
        seizures.ShouldContain(s => s.Counted && s.LabGrams != null);

        // Before and after the data: 2013-10..2013-12 and 2016-01..2016-03 are empty months and must be there as zeros.
        var monthly = Series(await GetJsonAsync("/api/trends?from=2013-10&to=2016-03"));
        monthly.Count.ShouldBe(30);
        monthly.ShouldBe(Expected(seizures, 2013, 10, 2016, 3, (y, m) => $"{y}-{m:D2}"));
        monthly[0].ShouldBe(("2013-10", 0, 0m, 0m));

        var quarterly = Series(await GetJsonAsync("/api/trends?from=2013-10-05&to=2016-03-31&granularity=quarter"));
        quarterly.ShouldBe(Expected(seizures, 2013, 10, 2016, 3, (y, m) => $"{y}-Q{(m - 1) / 3 + 1}"));

        var yearly = Series(await GetJsonAsync("/api/trends?from=2013&to=2016&granularity=year"));
        yearly.ShouldBe(Expected(seizures, 2013, 1, 2016, 12, (y, _) => $"{y}"));
        yearly.Select(p => p.Period).ShouldBe(["2013", "2014", "2015", "2016"]);

        // Filtered by facility (through an alias) and the lab's substance.
        var heroinAtSizo1 = seizures.Where(s => s.Raw.Facility == "SIZO-1" && s.Substance == "heroin");
        var filtered = await GetJsonAsync("/api/trends?facility=No. 21&substance=heroin&from=2014-01&to=2015-12&granularity=year");
        Series(filtered).ShouldBe(Expected(heroinAtSizo1, 2014, 1, 2015, 12, (y, _) => $"{y}"));
        filtered.GetProperty("filters").GetProperty("facility").GetString().ShouldBe("SIZO-1");

        var byDetection = seizures.Where(s => s.Raw.Detection == "cell-search");
        var cell = Series(await GetJsonAsync("/api/trends?detection=cell-search&group=opioids&from=2014-06&to=2015-06&granularity=quarter"));
        cell.ShouldBe(Expected(byDetection.Where(s => s.Substance is "heroin" or "opium" or "tramadol"), 2014, 6, 2015, 6, (y, m) => $"{y}-Q{(m - 1) / 3 + 1}"));
    }

    [Fact]
    public async Task without_from_and_to_the_series_runs_from_the_first_to_the_last_month_with_data()
    {
        (await GetJsonAsync("/api/trends")).GetProperty("series").GetArrayLength().ShouldBe(0);
        await RecordAsync(Body(occurredAt: "2015-01-01T02:00:00+06:00", value: 3, unit: "g"));   // 2015-01 locally (2014-12-31 UTC)
        await RecordAsync(Body(occurredAt: "2015-04-30T23:00:00+06:00", value: 2, unit: "kg"));
        await WaitForProjectionsAsync();
        Series(await GetJsonAsync("/api/trends")).ShouldBe(
            [("2015-01", 1, 3m, 0m), ("2015-02", 0, 0m, 0m), ("2015-03", 0, 0m, 0m), ("2015-04", 1, 2000m, 0m)]);
    }

    [Theory]
    [InlineData("granularity=week", "granularity")]
    [InlineData("substance=unobtainium", "substance")]
    [InlineData("group=nope", "group")]
    [InlineData("agency=FBI", "agency")]
    [InlineData("facility=Alcatraz", "facility")]
    [InlineData("oblast=KG-ZZ", "oblast")]
    [InlineData("detection=telepathy", "detection")]
    [InlineData("entry=teleport", "entry")]
    [InlineData("from=2015-13", "from")]
    [InlineData("from=2016-01&to=2015-12", "from")]
    [InlineData("to=yesterday", "to")]
    public async Task bad_parameters_are_refused_naming_the_parameter(string query, string field)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/trends?" + query);
            s.StatusCodeShouldBe(400);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe([field]);
    }
}
