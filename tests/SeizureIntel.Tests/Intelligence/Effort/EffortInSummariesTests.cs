using System.Globalization;
using System.Text;
using System.Text.Json;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Effort;

/// <summary>Rates where effort exists: in the year summary, in trends for one facility and in the annual report (CSV, HTML, as-of).</summary>
public sealed class EffortInSummariesTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(Guid Id, long Version)> EffortAsync(object body)
    {
        var result = await Host.Scenario(s => { s.Post.Json(body).ToUrl("/api/effort"); s.StatusCodeShouldBe(201); });
        var json = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        return (json.GetProperty("id").GetGuid(), json.GetProperty("version").GetInt64());
    }

    private static decimal Rate(decimal finds, decimal amount) => Math.Round(finds * 1000m / amount, 4);

    [Fact]
    public async Task year_summary_trends_and_the_annual_report_show_rates_where_effort_exists()
    {
        // 2015: X-ray effort at SIZO-1 in four months (2,000 parcels each, one entry later corrected to 3,000);
        // 2014: 1,000 parcels in one month. Visitors searched only in 2015 at IK-47.
        var entries = new List<(Guid Id, long Version)>();
        foreach (var month in new[] { "2015-01", "2015-02", "2015-03", "2015-04" })
            entries.Add(await EffortAsync(new { facilityId = "SIZO-1", kind = "parcels-xrayed", month, amount = 2000 }));
        await EffortAsync(new { facilityId = "SIZO-1", kind = "parcels-xrayed", month = "2014-06", amount = 1000 });
        await EffortAsync(new { facilityId = "IK-47", kind = "visitors-searched", month = "2015-05", amount = 400 });

        var finds2015 = new[] { ("2015-01-10", 10m), ("2015-02-10", 20m), ("2015-03-10", 5m), ("2015-07-10", 100m) }; // July has no effort
        foreach (var (day, grams) in finds2015)
            await RecordAsync(Body(occurredAt: $"{day}T10:00:00+06:00", detection: "xray-parcel", value: grams, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-06-10T10:00:00+06:00", detection: "xray-parcel", value: 4m, unit: "g"));
        await RecordAsync(Body(facilityId: "IK-47", occurredAt: "2015-05-10T10:00:00+06:00", detection: "visitor-search", value: 2m, unit: "g"));
        await WaitForProjectionsAsync();
        var cutOff = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        // After the cut-off: one month's effort corrected from 2,000 to 3,000.
        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "recount", amount = 3000 }).ToUrl($"/api/effort/{entries[0].Id}/corrections");
            s.WithRequestHeader("If-Match", $"\"{entries[0].Version}\"");
            s.StatusCodeShouldBe(200);
        });
        await WaitForProjectionsAsync();

        // Computed here: the X-ray finds of months with effort (not July).
        var counted = finds2015.Where(f => !f.Item1.StartsWith("2015-07")).ToList();
        decimal nowEffort = 9000m, thenEffort = 8000m;

        var summary = await GetJsonAsync("/api/years/2015/summary");
        var effort = summary.GetProperty("effort").EnumerateArray().ToList();
        effort.Select(f => f.GetProperty("facility").GetString()).ShouldBe(["IK-47", "SIZO-1"]);
        var sizo = effort[1].GetProperty("kinds").EnumerateArray().Single();
        sizo.GetProperty("kind").GetString().ShouldBe("parcels-xrayed");
        sizo.GetProperty("amount").GetDecimal().ShouldBe(nowEffort);
        sizo.GetProperty("monthsWithEffort").GetInt32().ShouldBe(4);
        sizo.GetProperty("finds").GetInt32().ShouldBe(counted.Count);
        sizo.GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(counted.Count, nowEffort));
        sizo.GetProperty("gramsPer1000").GetDecimal().ShouldBe(Rate(counted.Sum(f => f.Item2), nowEffort));
        var ik = effort[0].GetProperty("kinds").EnumerateArray().Single();
        ik.GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(1, 400m));

        // As of the cut-off, the corrected effort is the old one.
        var asOf = Uri.EscapeDataString(cutOff.ToString("O", CultureInfo.InvariantCulture));
        var then = (await GetJsonAsync($"/api/years/2015/summary?asOf={asOf}")).GetProperty("effort").EnumerateArray()
            .Single(f => f.GetProperty("facility").GetString() == "SIZO-1").GetProperty("kinds")[0];
        then.GetProperty("amount").GetDecimal().ShouldBe(thenEffort);
        then.GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(counted.Count, thenEffort));

        // Trends for one facility carry the same rates for the same periods.
        var trend = await GetJsonAsync("/api/trends?facility=SIZO-1&from=2015-01&to=2015-12&granularity=year");
        var yearRate = trend.GetProperty("rates").GetProperty("periods")[0].GetProperty("kinds").EnumerateArray()
            .Single(k => k.GetProperty("kind").GetString() == "parcels-xrayed");
        yearRate.GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(counted.Count, nowEffort));
        (await GetJsonAsync("/api/trends?from=2015-01&to=2015-12")).GetProperty("rates").ValueKind.ShouldBe(JsonValueKind.Null);

        // The annual report's CSV section, as of the cut-off and now.
        foreach (var (query, amount) in new[] { ($"&asOf={asOf}", thenEffort), ("", nowEffort) })
        {
            var csv = await Host.Scenario(s => s.Get.Url($"/api/reports/annual/2015?baseline=2014&format=csv{query}"));
            var lines = (await csv.ReadAsTextAsync()).Split('\n');
            var start = Array.IndexOf(lines, "section,effort_rates");
            start.ShouldBeGreaterThan(0);
            var rows = lines.Skip(start + 2).TakeWhile(l => l.Length > 0).Select(l => l.Split(',')).ToList();
            rows.Select(r => (r[0], r[1])).ShouldBe([("IK-47", "visitors-searched"), ("SIZO-1", "parcels-xrayed")]);
            var row = rows[1];
            decimal.Parse(row[3], CultureInfo.InvariantCulture).ShouldBe(amount);
            decimal.Parse(row[7], CultureInfo.InvariantCulture).ShouldBe(Rate(counted.Count, amount));
            decimal.Parse(row[9], CultureInfo.InvariantCulture).ShouldBe(1000m);            // baseline effort 2014
            decimal.Parse(row[13], CultureInfo.InvariantCulture).ShouldBe(Rate(1, 1000m));  // one find in June 2014
            rows[0][9].ShouldBe("");                                                          // no effort at IK-47 in 2014
        }

        var html = await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?baseline=2014&lang=ru"));
        var text = await html.ReadAsTextAsync();
        text.ShouldContain("Находки в расчёте на досмотровую работу");
        text.ShouldContain("Посылки и передачи, проверенные рентгеном");
    }
}
