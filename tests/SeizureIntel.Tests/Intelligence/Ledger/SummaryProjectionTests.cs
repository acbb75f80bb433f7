using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Ledger;

public sealed class SummaryProjectionTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static void ShouldMatch(JsonElement rows, string keyName, IEnumerable<IGrouping<string, RawSeizure>> expected)
    {
        var actual = rows.EnumerateArray().ToDictionary(
            r => r.GetProperty(keyName).ToString(),
            r => (Count: r.GetProperty("count").GetInt32(), Grams: r.GetProperty("grams").GetDecimal(), WithoutMass: r.GetProperty("withoutMass").GetInt32()));
        var wanted = expected.ToDictionary(g => g.Key,
            g => (Count: g.Count(), Grams: g.Sum(s => s.Grams ?? 0), WithoutMass: g.Count(s => s.Grams is null)));
        actual.ShouldBe(wanted, ignoreOrder: true);
    }

    [Fact]
    public async Task year_facility_and_facility_year_summaries_equal_independently_computed_totals()
    {
        var raw = RawSeizure.Varied(90, seed: 2015);
        foreach (var seizure in raw) await RecordAsync(seizure.Body);
        await WaitForProjectionsAsync();

        foreach (var year in new[] { 2014, 2015, 2016 })
        {
            var inYear = raw.Where(s => s.Year == year).ToList();
            var summary = await GetJsonAsync($"/api/years/{year}/summary");
            summary.GetProperty("count").GetInt32().ShouldBe(inYear.Count);
            summary.GetProperty("grams").GetDecimal().ShouldBe(inYear.Sum(s => s.Grams ?? 0));
            summary.GetProperty("withoutMass").GetInt32().ShouldBe(inYear.Count(s => s.Grams is null));
            ShouldMatch(summary.GetProperty("bySubstance"), "substance", inYear.GroupBy(s => s.Substance));
            ShouldMatch(summary.GetProperty("byFacility"), "facilityId", inYear.GroupBy(s => s.Facility));
            ShouldMatch(summary.GetProperty("byDetection"), "detection", inYear.GroupBy(s => s.Detection));
            ShouldMatch(summary.GetProperty("byMonth"), "month", inYear.GroupBy(s => s.Month.ToString()));
            ShouldMatch(summary.GetProperty("byAgency"), "agency", inYear.GroupBy(_ => "SSEP"));
        }

        foreach (var facility in raw.Select(s => s.Facility).Distinct())
        {
            var at = raw.Where(s => s.Facility == facility).ToList();
            var summary = await GetJsonAsync($"/api/facilities/{facility}/summary");
            summary.GetProperty("count").GetInt32().ShouldBe(at.Count);
            summary.GetProperty("grams").GetDecimal().ShouldBe(at.Sum(s => s.Grams ?? 0));
            ShouldMatch(summary.GetProperty("bySubstance"), "substance", at.GroupBy(s => s.Substance));
            ShouldMatch(summary.GetProperty("byDetection"), "detection", at.GroupBy(s => s.Detection));
            summary.GetProperty("lastSeizureAt").GetDateTimeOffset().ShouldBe(at.Max(s => s.OccurredAt));

            foreach (var year in new[] { 2014, 2015 })
            {
                var atInYear = at.Where(s => s.Year == year).ToList();
                var fy = await GetJsonAsync($"/api/facilities/{facility}/years/{year}/summary");
                fy.GetProperty("count").GetInt32().ShouldBe(atInYear.Count);
                fy.GetProperty("grams").GetDecimal().ShouldBe(atInYear.Sum(s => s.Grams ?? 0));
                ShouldMatch(fy.GetProperty("bySubstance"), "substance", atInYear.GroupBy(s => s.Substance));
                ShouldMatch(fy.GetProperty("byMonth"), "month", atInYear.GroupBy(s => s.Month.ToString()));
            }
        }
    }

    [Fact]
    public async Task a_seizure_counts_in_the_year_and_month_of_its_local_date_not_its_utc_date()
    {
        // 23:30 on 31 December in Bishkek is 17:30 UTC: 2014 either way.
        await RecordAsync(Body(occurredAt: "2014-12-31T23:30:00+06:00", value: 1m, unit: "g"));
        // 02:00 on 1 January in Bishkek is still 31 December in UTC: it counts in January 2015.
        await RecordAsync(Body(occurredAt: "2015-01-01T02:00:00+06:00", value: 10m, unit: "g"));
        // Given in UTC: 19:00Z on 31 December is 01:00 on 1 January in Bishkek: 2015.
        await RecordAsync(Body(occurredAt: "2014-12-31T19:00:00Z", value: 100m, unit: "g"));
        // Given in UTC: 17:59Z on 31 December is 23:59 in Bishkek: 2014.
        await RecordAsync(Body(occurredAt: "2014-12-31T17:59:00Z", value: 1000m, unit: "g"));
        await WaitForProjectionsAsync();

        var y2014 = await GetJsonAsync("/api/years/2014/summary");
        y2014.GetProperty("count").GetInt32().ShouldBe(2);
        y2014.GetProperty("grams").GetDecimal().ShouldBe(1001m);
        y2014.GetProperty("byMonth").EnumerateArray().Single().GetProperty("month").GetInt32().ShouldBe(12);

        var y2015 = await GetJsonAsync("/api/years/2015/summary");
        y2015.GetProperty("count").GetInt32().ShouldBe(2);
        y2015.GetProperty("grams").GetDecimal().ShouldBe(110m);
        y2015.GetProperty("byMonth").EnumerateArray().Single().GetProperty("month").GetInt32().ShouldBe(1);

        (await GetJsonAsync("/api/facilities/SIZO-1/years/2015/summary")).GetProperty("grams").GetDecimal().ShouldBe(110m);
        (await GetJsonAsync("/api/facilities/SIZO-1/years/2014/summary")).GetProperty("grams").GetDecimal().ShouldBe(1001m);
    }

    [Fact]
    public async Task summaries_of_a_facility_and_year_without_seizures_are_zero_and_an_unknown_facility_is_404()
    {
        var empty = await GetJsonAsync("/api/years/1999/summary");
        empty.GetProperty("count").GetInt32().ShouldBe(0);
        empty.GetProperty("grams").GetDecimal().ShouldBe(0m);
        (await GetJsonAsync("/api/facilities/IK-3/summary")).GetProperty("count").GetInt32().ShouldBe(0);
        await Host.Scenario(s => { s.Get.Url("/api/facilities/IK-999/summary"); s.StatusCodeShouldBe(404); });
        await Host.Scenario(s => { s.Get.Url("/api/facilities/IK-999/years/2015/summary"); s.StatusCodeShouldBe(404); });
    }

    [Fact]
    public async Task an_alias_reads_the_same_facility_summary()
    {
        await RecordAsync(Body(facilityId: "SIZO-1", value: 5m, unit: "g"));
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/facilities/No. 21/summary")).GetProperty("grams").GetDecimal().ShouldBe(5m);
    }
}
