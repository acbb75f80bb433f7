using Microsoft.Extensions.DependencyInjection;
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

    private async Task LabAsync(SeizureCreatedBody seizure, string caseNumber, decimal netGrams, decimal? purity)
    {
        await ChangeAsync(seizure.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = caseNumber, submittedAt = "2015-01-02T09:00:00+06:00" }, seizure.Version);
        await ChangeAsync(seizure.Id, "lab-results", new
        {
            labCaseNumber = caseNumber, confirmedSubstance = "heroin", netWeightGrams = netGrams, purityPercent = purity,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "analyst-1", reportDate = "2015-02-01",
        }, seizure.Version + 1);
    }

    [Fact]
    public async Task purity_adjusted_grams_cover_the_seizures_a_lab_gave_a_purity_for_and_say_how_much_they_cover()
    {
        // 2014: A field 400 g, lab 380 g at 50 % (190 g pure); B 200 g, no lab.
        // 2015: C field 1 kg, lab 900 g at 30 % (270 g pure); D field 500 g, lab 480 g without purity; E 300 g, no lab.
        var a = await RecordAsync(Body(occurredAt: "2014-03-10T10:00:00+06:00", substance: "heroin", value: 400m, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-04-10T10:00:00+06:00", substance: "heroin", value: 200m, unit: "g"));
        var c = await RecordAsync(Body(occurredAt: "2015-03-10T10:00:00+06:00", substance: "heroin", value: 1m, unit: "kg"));
        var d = await RecordAsync(Body(occurredAt: "2015-04-10T10:00:00+06:00", substance: "heroin", value: 500m, unit: "g"));
        await RecordAsync(Body(occurredAt: "2015-05-10T10:00:00+06:00", substance: "heroin", value: 300m, unit: "g"));
        await LabAsync(a, "SFC-A", 380m, 50m);
        await LabAsync(d, "SFC-D", 480m, null);
        await WaitForProjectionsAsync();
        await Task.Delay(100);
        var cutOff = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        await LabAsync(c, "SFC-C", 900m, 30m); // after the cut-off
        await WaitForProjectionsAsync();

        // The test's own arithmetic.
        decimal yearGrams = 900m + 480m + 300m, baselineGrams = 380m + 200m;
        var yearShare = Math.Round(100m * 900m / yearGrams, 1, MidpointRounding.AwayFromZero);      // 53.6
        var baselineShare = Math.Round(100m * 380m / baselineGrams, 1, MidpointRounding.AwayFromZero); // 65.5
        decimal yearPure = 900m * 30m / 100m, baselinePure = 380m * 50m / 100m;

        var answer = await GetJsonAsync("/api/compare/decomposition?year=2015");
        answer.GetProperty("total").GetProperty("changeGrams").GetDecimal().ShouldBe(yearGrams - baselineGrams);
        var purity = answer.GetProperty("purity");
        purity.GetProperty("yearSeizures").GetInt32().ShouldBe(1);
        purity.GetProperty("baselineSeizures").GetInt32().ShouldBe(1);
        purity.GetProperty("yearCoveredGrams").GetDecimal().ShouldBe(900m);
        purity.GetProperty("yearCoveredPercent").GetDecimal().ShouldBe(yearShare);
        purity.GetProperty("baselineCoveredPercent").GetDecimal().ShouldBe(baselineShare);
        purity.GetProperty("yearPureGrams").GetDecimal().ShouldBe(yearPure);
        purity.GetProperty("baselinePureGrams").GetDecimal().ShouldBe(baselinePure);
        purity.GetProperty("pure").GetProperty("changeGrams").GetDecimal().ShouldBe(yearPure - baselinePure);
        answer.GetProperty("paragraph").GetString()!.ShouldContain(
            $"Lab purity is known for 1 seizure holding {yearShare.ToString("0.0", CultureInfo.InvariantCulture)} % of 2015's grams " +
            $"(1 holding {baselineShare.ToString("0.0", CultureInfo.InvariantCulture)} % of 2014's); in them the pure substance went from 0.2 kg to 0.3 kg (+0.1 kg).");

        // The report now: CSV lines, the HTML paragraph in Russian and the XLSX sheet with the same paragraph.
        var csv = (await (await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?format=csv"))).ReadAsTextAsync()).Split('\n');
        var start = Array.IndexOf(csv, "section,change_decomposition");
        var rows = csv.Skip(start + 2).TakeWhile(l => l.Length > 0).ToDictionary(l => l.Split(',')[0], l => l.Split(','));
        decimal.Parse(rows["purity_year_covered_share"][2], CultureInfo.InvariantCulture).ShouldBe(yearShare);
        decimal.Parse(rows["pure_change"][2], CultureInfo.InvariantCulture).ShouldBe(yearPure - baselinePure);
        var html = await (await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?lang=ru"))).ReadAsTextAsync();
        html.ShouldContain($"Чистота по данным лаборатории известна для части изъятий 2015 года (1 шт., {yearShare.ToString("0.0", CultureInfo.GetCultureInfo("ru-RU"))} % массы)");
        var xlsxResult = await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?format=xlsx"));
        using (var stream = new MemoryStream())
        {
        await xlsxResult.Context.Response.Body.CopyToAsync(stream);
        stream.Position = 0;
        using (var document = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(stream, false))
        {
            var workbook = document.WorkbookPart!;
            var sheet = workbook.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single(s => s.Name == "Change in grams");
            var texts = ((DocumentFormat.OpenXml.Packaging.WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet
                .Descendants<DocumentFormat.OpenXml.Spreadsheet.InlineString>().Select(t => t.Text!.Text).ToList();
            texts.ShouldContain(answer.GetProperty("paragraph").GetString()!);
        }
        }

        // As of the cut-off, C had no lab result yet: 2015 has no purity, and C counts at its field weight.
        var asOf = await Reports.BuildAsync(new SeizureIntel.Reports.Annual.AnnualReportRequest(2015, 2014, cutOff, null), CancellationToken.None);
        asOf.Purity!.YearSeizures.ShouldBe(0);
        asOf.Purity.YearCoveredPercent.ShouldBe(0m);
        asOf.Purity.BaselineCoveredPercent.ShouldBe(baselineShare);
        asOf.Change!.ChangeGrams.ShouldBe(1000m + 480m + 300m - baselineGrams);
    }

    private SeizureIntel.Reports.Annual.AnnualReports Reports => Host.Services.GetRequiredService<SeizureIntel.Reports.Annual.AnnualReports>();
}
