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

        // One filter alone is summed from the one-dimension roll-ups, which corrections, lab results, voids and duplicates move too.
        Series(await GetJsonAsync("/api/trends?substance=heroin&from=2014-01&to=2015-12"))
            .ShouldBe(Expected(seizures.Where(s => s.Substance == "heroin"), 2014, 1, 2015, 12, (y, m) => $"{y}-{m:D2}"));
        Series(await GetJsonAsync("/api/trends?facility=SIZO-1&from=2014-01&to=2015-12&granularity=quarter"))
            .ShouldBe(Expected(seizures.Where(s => s.Raw.Facility == "SIZO-1"), 2014, 1, 2015, 12, (y, m) => $"{y}-Q{(m - 1) / 3 + 1}"));
        Series(await GetJsonAsync("/api/trends?detection=cell-search&from=2014-01&to=2015-12&granularity=year"))
            .ShouldBe(Expected(seizures.Where(s => s.Raw.Detection == "cell-search"), 2014, 1, 2015, 12, (y, _) => $"{y}"));

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

    [Fact]
    public async Task each_dimension_filters_the_series_alone_and_together()
    {
        // The test's own rows: (local month, grams, oblast from the point or the facility, entry, detection, substance).
        var rows = new (string At, decimal Grams, string Oblast, string Entry, string Detection, string Substance, object Body)[]
        {
            ("2015-01-10T10:00:00+06:00", 10m, "KG-O", "throw-over", "perimeter", "heroin", Located(40.513, 72.816, "2015-01-10T10:00:00+06:00", 10m, "throw-over", "perimeter", "heroin")),
            ("2015-01-20T10:00:00+06:00", 20m, "KG-O", "parcel-post", "perimeter", "heroin", Located(40.52, 72.80, "2015-01-20T10:00:00+06:00", 20m, "parcel-post", "perimeter", "heroin")),
            ("2015-03-05T10:00:00+06:00", 40m, "KG-Y", "throw-over", "canine", "opium", Located(42.49, 78.39, "2015-03-05T10:00:00+06:00", 40m, "throw-over", "canine", "opium")),
            ("2015-03-06T10:00:00+06:00", 80m, "KG-C", "visitor", "visitor-search", "cannabis-herb", AtFacility("SIZO-1", "2015-03-06T10:00:00+06:00", 80m, "visitor", "visitor-search", "cannabis-herb")),
            ("2015-02-01T10:00:00+06:00", 160m, "unknown", "unknown", "cell-search", "heroin", AtFacility("IK-3", "2015-02-01T10:00:00+06:00", 160m, null, "cell-search", "heroin")),
        };
        foreach (var row in rows) await RecordAsync(row.Body);
        await WaitForProjectionsAsync();

        List<(string, int, decimal, decimal)> Expect(Func<(string At, decimal Grams, string Oblast, string Entry, string Detection, string Substance, object Body), bool> keep) =>
            new[] { "2015-01", "2015-02", "2015-03" }.Select(month =>
            {
                var inMonth = rows.Where(r => r.At.StartsWith(month, StringComparison.Ordinal) && keep(r)).ToList();
                return (month, inMonth.Count, inMonth.Sum(r => r.Grams), 0m);
            }).ToList();
        async Task<List<(string, int, decimal, decimal)>> Ask(string filter) =>
            Series(await GetJsonAsync($"/api/trends?from=2015-01&to=2015-03&{filter}"));

        (await Ask("agency=SSEP")).ShouldBe(Expect(_ => true));
        (await Ask("agency=SSDC")).ShouldBe(Expect(_ => false));
        (await Ask("oblast=KG-O")).ShouldBe(Expect(r => r.Oblast == "KG-O"));
        (await Ask("oblast=unknown")).ShouldBe(Expect(r => r.Oblast == "unknown"));
        (await Ask("entry=throw-over")).ShouldBe(Expect(r => r.Entry == "throw-over"));
        (await Ask("entry=unknown")).ShouldBe(Expect(r => r.Entry == "unknown"));
        (await Ask("facility=none")).ShouldBe(Expect(r => r.Oblast is "KG-O" or "KG-Y"));
        (await Ask("detection=perimeter&entry=throw-over")).ShouldBe(Expect(r => r.Detection == "perimeter" && r.Entry == "throw-over"));
        (await Ask("group=opioids&oblast=KG-Y")).ShouldBe(Expect(r => r.Substance is "heroin" or "opium" && r.Oblast == "KG-Y"));
        (await Ask("substance=heroin&agency=SSEP&oblast=KG-O&entry=parcel-post&detection=perimeter&facility=none"))
            .ShouldBe(Expect(r => r.Grams == 20m));
    }

    private static object Located(double lat, double lon, string occurredAt, decimal grams, string entry, string detection, string substance) =>
        new { occurredAt, substance, quantity = new { value = grams, unit = "g" }, detection, entry, location = new { lat, lon } };

    private static object AtFacility(string facilityId, string occurredAt, decimal grams, string? entry, string detection, string substance) =>
        new { facilityId, occurredAt, substance, quantity = new { value = grams, unit = "g" }, detection, entry };

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
