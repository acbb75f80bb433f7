using System.Globalization;
using System.Text.Json;
using SeizureIntel.Intelligence.Decomposition;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Decomposition;

/// <summary>The year-on-year change in grams split into number, size and the largest seizures; the annual report's paragraph.</summary>
public sealed class DecompositionTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public void the_split_adds_up_and_the_paragraph_is_written_from_the_figures()
    {
        // 2014: 4 seizures of 100 g; 2015: 5 of 100 g and one of 600 g. ΔG = +700 g; ΔN = 2, M0 = 100, M1 = 1100/6.
        decimal[] baseline = [100, 100, 100, 100];
        decimal[] year = [100, 100, 100, 100, 100, 600];
        var d = ChangeDecomposition.Decompose(year, baseline, 500, 3);
        d.ChangeGrams.ShouldBe(700m);
        var m1 = 1100m / 6m;
        d.FromNumber.ShouldBe(Math.Round(2m * (100m + m1) / 2m, 3));
        (d.FromNumber + d.FromSize).ShouldBe(700m);
        d.FromSize.ShouldBe(Math.Round((m1 - 100m) * (4m + 6m) / 2m, 3), 0.001m);
        d.TopCountYear.ShouldBe(1);
        d.FromTopOnePercent.ShouldBe(500m);      // 600 − 100
        d.ChangeWithoutTopOnePercent.ShouldBe(200m);
        d.LargestYearGrams.ShouldBe(600m);
        d.FromLargest.ShouldBe(500m);
        ChangeDecomposition.Decompose(year, baseline, 500, 3).ShouldBe(d); // seeded: the same interval again
        d.BootstrapLower.ShouldBeLessThanOrEqualTo(700m);
        d.BootstrapUpper.ShouldBeGreaterThanOrEqualTo(700m);

        var text = ChangeDecomposition.Paragraph(d, 2015, 2014, "en");
        text.ShouldStartWith("Of the +0.7 kg change from 2014 to 2015, +0.3 kg came from 2 more seizures and +0.4 kg from larger ones");
        text.ShouldContain("the single largest seizure was 0.6 kg (0.1 kg in 2014)");
        ChangeDecomposition.Paragraph(d, 2015, 2014, "ru").ShouldStartWith("Из изменения на +0,7 кг в 2015 году по сравнению с 2014 годом +0,3 кг приходится на увеличение числа изъятий на 2");
    }

    [Fact]
    public async Task the_endpoint_and_the_annual_report_decompose_the_counted_seizures()
    {
        var rng = new Random(11);
        var baseline = Enumerable.Range(0, 30).Select(_ => Math.Round((decimal)rng.NextDouble() * 900m + 10m, 1)).ToList();
        var year = Enumerable.Range(0, 36).Select(_ => Math.Round((decimal)rng.NextDouble() * 900m + 10m, 1)).Append(25_000m).ToList();
        foreach (var (g, i) in baseline.Select((g, i) => (g, i)))
            await RecordAsync(Body(occurredAt: $"2014-{i % 12 + 1:D2}-10T10:00:00+06:00", value: g, unit: "g"));
        foreach (var (g, i) in year.Select((g, i) => (g, i)))
            await RecordAsync(Body(facilityId: i % 2 == 0 ? "SIZO-1" : "IK-47", occurredAt: $"2015-{i % 12 + 1:D2}-10T10:00:00+06:00", value: g, unit: "g"));
        var voided = await RecordAsync(Body(occurredAt: "2015-05-05T10:00:00+06:00", value: 99_999m, unit: "g"));
        await ChangeAsync(voided.Id, "void", new { reason = "test entry" }, 1);
        await WaitForProjectionsAsync();

        var answer = await GetJsonAsync("/api/compare/decomposition?year=2015&by=facility");
        var total = answer.GetProperty("total");
        decimal n1 = year.Count, n0 = baseline.Count, m1 = year.Sum() / n1, m0 = baseline.Sum() / n0;
        total.GetProperty("changeGrams").GetDecimal().ShouldBe(year.Sum() - baseline.Sum());
        total.GetProperty("fromNumber").GetDecimal().ShouldBe(Math.Round((n1 - n0) * (m0 + m1) / 2, 3));
        total.GetProperty("fromSize").GetDecimal().ShouldBe(Math.Round((m1 - m0) * (n0 + n1) / 2, 3), 0.002m);
        total.GetProperty("largestYearGrams").GetDecimal().ShouldBe(25_000m);
        total.GetProperty("topCountYear").GetInt32().ShouldBe(1);
        total.GetProperty("fromTopOnePercent").GetDecimal().ShouldBe(25_000m - baseline.Max());
        var lower = total.GetProperty("bootstrapLower").GetDecimal();
        lower.ShouldBeLessThan(year.Sum() - baseline.Sum());
        (await GetJsonAsync("/api/compare/decomposition?year=2015&baseline=2014")).GetProperty("total").GetProperty("bootstrapLower").GetDecimal().ShouldBe(lower);
        answer.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("key").GetString()).ShouldBe(["IK-47", "SIZO-1"]);
        answer.GetProperty("paragraph").GetString()!.ShouldContain("the single largest seizure was 25.0 kg");

        ErrorFields(await Host.GetJsonAsync("/api/compare/decomposition?year=2015&baseline=2015&by=colour", 400)).ShouldBe(["baseline", "by"]);

        var csv = await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?baseline=2014&format=csv"));
        var lines = (await csv.ReadAsTextAsync()).Split('\n');
        var start = Array.IndexOf(lines, "section,change_decomposition");
        start.ShouldBeGreaterThan(0);
        var rows = lines.Skip(start + 2).TakeWhile(l => l.Length > 0).ToDictionary(l => l.Split(',')[0], l => l);
        decimal.Parse(rows["change"].Split(',')[2], CultureInfo.InvariantCulture).ShouldBe(year.Sum() - baseline.Sum());
        decimal.Parse(rows["from_number"].Split(',')[2], CultureInfo.InvariantCulture).ShouldBe(Math.Round((n1 - n0) * (m0 + m1) / 2, 3));
        var html = await (await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?baseline=2014&lang=ru"))).ReadAsTextAsync();
        html.ShouldContain("самое крупное изъятие 2015 года — 25,0 кг");
    }
}
