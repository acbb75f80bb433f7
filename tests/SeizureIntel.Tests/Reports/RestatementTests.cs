using System.Globalization;
using System.Text.Json;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Reports;

/// <summary>GET /api/reports/annual/{year}/restatement: what changed since a report was generated as of an instant, and why.</summary>
public sealed class RestatementTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task every_record_that_changed_a_published_figure_is_listed_with_its_reason_and_the_totals_move_by_their_effects()
    {
        var a = await RecordAsync(Body(occurredAt: "2015-03-14T10:30:00+06:00", value: 2m, unit: "kg"));
        var b = await RecordAsync(Body(occurredAt: "2015-07-01T10:30:00+06:00", substance: "heroin", value: 500m, unit: "g"));
        var c = await RecordAsync(Body(occurredAt: "2015-05-01T10:30:00+06:00", value: 1m, unit: "kg"));
        var d = await RecordAsync(Body(occurredAt: "2014-05-01T10:30:00+06:00", value: 1m, unit: "kg"));
        var e = await RecordAsync(Body(occurredAt: "2015-06-01T10:30:00+06:00", value: 300m, unit: "g"));
        var f = await RecordAsync(Body(occurredAt: "2015-06-02T10:30:00+06:00", value: 300m, unit: "g"));
        await ChangeAsync(b.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-9", submittedAt = "2015-07-02T09:00:00+06:00" }, b.Version);
        await WaitForProjectionsAsync();
        await Task.Delay(100);
        var cutOff = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(6));
        await Task.Delay(100);

        // Later: a lab result, a void, a re-weighing, a duplicate, a correction that moves no total, a late record, and a
        // record of another year (not listed).
        await ChangeAsync(b.Id, "lab-results", new
        {
            labCaseNumber = "SFC-9", confirmedSubstance = "heroin", netWeightGrams = 450m,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "analyst-1", reportDate = "2015-07-20",
        }, b.Version + 1);
        await ChangeAsync(c.Id, "void", new { reason = "test kit false positive" }, c.Version);
        await ChangeAsync(d.Id, "corrections", new { reason = "re-weighed at the lab store", quantity = new { value = 1.2m, unit = "kg" } }, d.Version);
        await ChangeAsync(f.Id, "duplicate-of", new { duplicateOf = e.Id, reason = "entered twice" }, f.Version);
        await ChangeAsync(a.Id, "corrections", new { reason = "found in the routine cell search", detection = "cell-search" }, a.Version);
        var h = await RecordAsync(Body(occurredAt: "2015-08-01T10:30:00+06:00", value: 100m, unit: "g"));
        await RecordAsync(Body(occurredAt: "2013-08-01T10:30:00+06:00", value: 5m, unit: "g"));
        await WaitForProjectionsAsync();

        var answer = await GetJsonAsync($"/api/reports/annual/2015/restatement?asOf={Uri.EscapeDataString(cutOff.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture))}");
        answer.GetProperty("baseline").GetInt32().ShouldBe(2014);
        answer.GetProperty("asOf").GetString()!.ShouldEndWith("+06:00");
        answer.GetProperty("timeZone").GetString().ShouldBe("Asia/Bishkek");

        // Record by record: the kind of each later event and the effect on each year's total, as the test works it out.
        var expected = new Dictionary<Guid, (string Kind, string Reason, int Year, int Count, decimal Grams)>
        {
            [b.Id] = ("late-lab-result", "SFC-9", 2015, 0, 450m - 500m),
            [c.Id] = ("void", "test kit false positive", 2015, -1, -1000m),
            [d.Id] = ("correction", "re-weighed at the lab store", 2014, 0, 1200m - 1000m),
            [f.Id] = ("duplicate", "entered twice", 2015, -1, -300m),
            [a.Id] = ("correction", "found in the routine cell search", 2015, 0, 0m),
            [h.Id] = ("recorded-late", "recorded", 2015, 1, 100m),
        };
        var records = answer.GetProperty("records").EnumerateArray().ToList();
        records.Select(r => r.GetProperty("seizureId").GetGuid()).ShouldBe(expected.Keys, ignoreOrder: true);
        answer.GetProperty("recordsChanged").GetInt32().ShouldBe(6);
        foreach (var r in records)
        {
            var (kind, reason, year, count, grams) = expected[r.GetProperty("seizureId").GetGuid()];
            var events = r.GetProperty("events").EnumerateArray().ToList();
            events.Select(x => x.GetProperty("kind").GetString()).ShouldBe([kind]);
            events[0].GetProperty("reason").GetString()!.ShouldContain(reason);
            events[0].GetProperty("at").GetString()!.ShouldEndWith("+06:00");
            var effect = r.GetProperty("effect").EnumerateArray().ToList();
            if (count == 0 && grams == 0) effect.ShouldBeEmpty();
            else
            {
                effect.Single().GetProperty("year").GetInt32().ShouldBe(year);
                effect.Single().GetProperty("count").GetInt32().ShouldBe(count);
                effect.Single().GetProperty("grams").GetDecimal().ShouldBe(grams);
            }
        }
        var voided = records.Single(r => r.GetProperty("seizureId").GetGuid() == c.Id);
        voided.GetProperty("published").GetProperty("grams").GetDecimal().ShouldBe(1000m);
        voided.GetProperty("now").ValueKind.ShouldBe(JsonValueKind.Null);

        // Published totals, as the test adds them up: 2015 A 2 kg + B 500 g + C 1 kg + E 300 g + F 300 g; 2014 D 1 kg.
        var totals = answer.GetProperty("totals").EnumerateArray().ToList();
        JsonElement Row(int year, string table, string key) => totals.Single(t =>
            t.GetProperty("year").GetInt32() == year && t.GetProperty("table").GetString() == table && t.GetProperty("key").GetString() == key);
        var y = Row(2015, "total", "all");
        y.GetProperty("publishedCount").GetInt32().ShouldBe(5);
        y.GetProperty("publishedGrams").GetDecimal().ShouldBe(2000m + 500m + 1000m + 300m + 300m);
        y.GetProperty("nowCount").GetInt32().ShouldBe(4); // A, B, E, H
        y.GetProperty("nowGrams").GetDecimal().ShouldBe(2000m + 450m + 300m + 100m);
        y.GetProperty("gramsChange").GetDecimal().ShouldBe(expected.Values.Where(v => v.Year == 2015).Sum(v => v.Grams));
        y.GetProperty("countChange").GetInt32().ShouldBe(expected.Values.Where(v => v.Year == 2015).Sum(v => v.Count));
        Row(2014, "total", "all").GetProperty("gramsChange").GetDecimal().ShouldBe(200m);
        // A moved from visitor-search to cell-search: both rows change, the total does not move for it.
        Row(2015, "detection", "visitor-search").GetProperty("nowGrams").GetDecimal().ShouldBe(450m + 300m + 100m);
        Row(2015, "detection", "visitor-search").GetProperty("publishedCount").GetInt32().ShouldBe(5);
        Row(2015, "detection", "cell-search").GetProperty("nowGrams").GetDecimal().ShouldBe(2000m);
        // B's lab net weight: the lab-confirmed part of the heroin row appears.
        Row(2015, "substance", "heroin").GetProperty("nowLabConfirmedGrams").GetDecimal().ShouldBe(450m);
        totals.ShouldNotContain(t => t.GetProperty("year").GetInt32() == 2015 && t.GetProperty("table").GetString() == "facility" &&
                                     t.GetProperty("countChange").GetInt32() == 0 && t.GetProperty("gramsChange").GetDecimal() == 0 &&
                                     t.GetProperty("publishedLabConfirmedGrams").GetDecimal() == t.GetProperty("nowLabConfirmedGrams").GetDecimal());

        // The published side is the report as of the cut-off: its CSV total line says the same.
        var csv = await (await Host.Scenario(s => s.Get.Url($"/api/reports/annual/2015?asOf={Uri.EscapeDataString(cutOff.ToString("O", CultureInfo.InvariantCulture))}&format=csv"))).ReadAsTextAsync();
        csv.ShouldContain("mass,g,4100,1000");
    }

    [Fact]
    public async Task bad_parameters_are_named()
    {
        ErrorFields(await Host.GetJsonAsync("/api/reports/annual/2015/restatement", 400)).ShouldBe(["asOf"]);
        ErrorFields(await Host.GetJsonAsync("/api/reports/annual/2015/restatement?asOf=2015-01-01T00:00:00", 400)).ShouldBe(["asOf"]);
        ErrorFields(await Host.GetJsonAsync($"/api/reports/annual/20x5/restatement?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2).ToString("O"))}&agency=KGB", 400))
            .ShouldBe(["agency", "asOf", "year"]);
    }
}
