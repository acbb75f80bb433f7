using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Demo;
using SeizureIntel.Node;
using SeizureIntel.Reports.Annual;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;
using Xunit.Abstractions;

namespace SeizureIntel.Tests.Reports;

public sealed class AnnualReportTests(NodeFixture fixture, ITestOutputHelper output) : NodeTest(fixture)
{
    private const string SeedHeadline = "In 2015 SSEP withdrew 140.9 kg of narcotic drugs (119.9 kg in 2014), an increase of 17.5 %.";

    private async Task LoadDemoAsync()
    {
        (await DemoData.LoadAsync(Store, Host.Services.GetRequiredService<SeizureFields>(), Host.Services.GetRequiredService<NodeIdentity>(),
            TimeProvider.System, CancellationToken.None)).ShouldBeGreaterThan(0);
        await WaitForProjectionsAsync();
    }

    private async Task<(byte[] Body, string? ContentType)> GetReportAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        using var memory = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(memory);
        return (memory.ToArray(), result.Context.Response.ContentType);
    }

    private AnnualReports Reports => Host.Services.GetRequiredService<AnnualReports>();

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task the_seed_figures_give_the_working_groups_headline_140_9_kg_against_119_9_kg_up_17_5_percent()
    {
        await LoadDemoAsync();

        var report = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, null, null), CancellationToken.None);
        report.Headline.ShouldBe(SeedHeadline);
        report.YearTotal.Grams.ShouldBe(140_900m);
        report.BaselineTotal.Grams.ShouldBe(119_900m);
        report.ChangePercent.ShouldBe(17.5m);
        report.YearTotal.LabConfirmedPercent.ShouldBe(0m); // no lab result in the demo data
        report.Provenance.HighWaterMark.ShouldBeGreaterThan(0);
        report.Provenance.ConversionTableVersion.ShouldBe(Host.Services.GetRequiredService<SeizureIntel.Seizures.Quantities.QuantityConverter>().Table.Version);
        // Every table adds up to the totals.
        foreach (var table in report.Tables)
        {
            table.Rows.Sum(r => r.Year.Grams).ShouldBe(140_900m, table.Id);
            table.Rows.Sum(r => r.Baseline.Grams).ShouldBe(119_900m, table.Id);
            table.Rows.Sum(r => r.Year.Count).ShouldBe(report.YearTotal.Count, table.Id);
        }

        // The same through the route, in each format.
        var (csv, csvType) = await GetReportAsync("/api/reports/annual/2015?baseline=2014&format=csv");
        csvType.ShouldStartWith("text/csv");
        var text = Encoding.UTF8.GetString(csv);
        text.ShouldContain("\"" + SeedHeadline + "\"\n"); // quoted: it holds commas
        text.ShouldContain("\nmass,g,140900,119900,17.5\n");
        text.ShouldNotContain("\r");
        text.ShouldNotContain("generated");

        var (html, htmlType) = await GetReportAsync("/api/reports/annual/2015?format=html"); // baseline defaults to 2014
        htmlType.ShouldStartWith("text/html");
        var page = Encoding.UTF8.GetString(html);
        page.ShouldContain(WebUtility.HtmlEncode(SeedHeadline));
        Regex.Matches(page, "<svg ").Count.ShouldBe(2); // bars by substance group, monthly lines
        page.ShouldContain("<rect ");
        page.ShouldContain("<polyline ");
        // Self-contained: nothing is fetched from anywhere.
        page.ShouldNotContain("http://");
        page.ShouldNotContain("https://");
        Regex.IsMatch(page, @"<(script|link|img|iframe)\b", RegexOptions.IgnoreCase).ShouldBeFalse();
        page.ShouldContain("<style>");

        var (xlsx, xlsxType) = await GetReportAsync("/api/reports/annual/2015?baseline=2014&format=xlsx");
        xlsxType.ShouldBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        var sheets = ReadWorkbook(xlsx);
        sheets.Keys.ShouldBe(["Summary", "Agency", "Substance group", "Substance", "Facility", "Oblast", "Detection", "Method of entry", "Month", "Joint operations"]);
        var summary = sheets["Summary"];
        summary.Single(r => r.Length > 0 && r[0] == "headline")[1].ShouldBe(SeedHeadline);
        summary.Single(r => r.Length > 0 && r[0] == "mass").Skip(2).Take(3).ShouldBe(["140900", "119900", "17.5"]);
        foreach (var table in report.Tables)
        {
            var rows = sheets[AnnualReportXlsx.SheetName(table)].Skip(1).ToList();
            rows.Select(r => r[0]).ShouldBe(table.Rows.Select(r => r.Key));
            rows.Sum(r => decimal.Parse(r[3], CultureInfo.InvariantCulture)).ShouldBe(140_900m);
            rows.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture)).ShouldBe(119_900m);
        }
        sheets["Joint operations"][1].ShouldBe(["operations", "count", "0", "0"]);

        ConvertWithLibreOfficeIfInstalled(xlsx);
    }

    [Fact]
    public async Task a_varied_data_set_gives_the_figures_the_test_computes_itself()
    {
        var raw = RawSeizure.Varied(60, seed: 7);
        foreach (var s in raw) await RecordAsync(s.Body);
        await WaitForProjectionsAsync();

        var report = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, null, null), CancellationToken.None);
        var asOf = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, DateTimeOffset.UtcNow, null), CancellationToken.None);

        foreach (var r in new[] { report, asOf })
        {
            foreach (var (year, totals) in new[] { (2015, r.YearTotal), (2014, r.BaselineTotal) })
            {
                var ofYear = raw.Where(s => s.Year == year).ToList();
                totals.Count.ShouldBe(ofYear.Count);
                totals.Grams.ShouldBe(ofYear.Sum(s => s.Grams ?? 0m));
                totals.WithoutMass.ShouldBe(ofYear.Count(s => s.Grams is null));
                totals.LabConfirmedGrams.ShouldBe(0m);
            }
            Expect(r.Table("facility"), raw, s => s.Facility);
            Expect(r.Table("detection"), raw, s => s.Detection);
            Expect(r.Table("substance"), raw, s => s.Substance);
            Expect(r.Table("month"), raw, s => s.Month.ToString("D2", CultureInfo.InvariantCulture));
            r.Table("agency").Rows.Select(x => x.Key).ShouldBe(["SSEP"]);

            var y = raw.Where(s => s.Year == 2015).Sum(s => s.Grams ?? 0m);
            var b = raw.Where(s => s.Year == 2014).Sum(s => s.Grams ?? 0m);
            var change = Math.Round((y - b) / b * 100m, 1, MidpointRounding.AwayFromZero);
            r.Headline.ShouldBe($"In 2015 SSEP withdrew {Math.Round(y / 1000m, 1, MidpointRounding.AwayFromZero).ToString("0.0", CultureInfo.InvariantCulture)} kg " +
                $"of narcotic drugs ({Math.Round(b / 1000m, 1, MidpointRounding.AwayFromZero).ToString("0.0", CultureInfo.InvariantCulture)} kg in 2014), " +
                $"{(change >= 0 ? "an increase" : "a decrease")} of {Math.Abs(change).ToString("0.0", CultureInfo.InvariantCulture)} %.");
        }

        // An agency filter: a partner's records would count under their origin agency; this node holds SSEP's only.
        var ssdc = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, null, "SSDC"), CancellationToken.None);
        ssdc.YearTotal.Count.ShouldBe(0);
        ssdc.Headline.ShouldBe("In 2015 SSDC withdrew 0.0 kg of narcotic drugs (none in 2014).");
        (await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, null, "SSEP"), CancellationToken.None)).YearTotal.ShouldBe(report.YearTotal);
    }

    private static void Expect(ComparisonTable table, List<RawSeizure> raw, Func<RawSeizure, string> key)
    {
        foreach (var (year, pick) in new (int, Func<ComparisonRow, ReportTotals>)[] { (2015, r => r.Year), (2014, r => r.Baseline) })
        {
            var expected = raw.Where(s => s.Year == year).GroupBy(key)
                .ToDictionary(g => g.Key, g => (Count: g.Count(), Grams: g.Sum(s => s.Grams ?? 0m)));
            var actual = table.Rows.Where(r => pick(r).Count > 0).ToDictionary(r => r.Key, r => (pick(r).Count, pick(r).Grams));
            actual.ShouldBe(expected, ignoreOrder: true, customMessage: $"{table.Id} {year}");
        }
    }

    [Fact]
    public async Task the_same_as_of_after_later_corrections_gives_the_same_numbers_and_the_same_csv_bytes_and_without_as_of_the_corrections_show()
    {
        var a = await RecordAsync(Body(occurredAt: "2015-03-14T10:30:00+06:00", value: 2m, unit: "kg"));
        var b = await RecordAsync(Body(occurredAt: "2015-07-01T10:30:00+06:00", substance: "heroin", value: 500m, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-05-01T10:30:00+06:00", value: 1m, unit: "kg"));
        await WaitForProjectionsAsync();
        await Task.Delay(100);
        var cutOff = Instant(DateTimeOffset.UtcNow);
        await Task.Delay(100);
        var url = $"/api/reports/annual/2015?baseline=2014&asOf={Uri.EscapeDataString(cutOff)}&format=csv";

        var (before, _) = await GetReportAsync(url);
        var modelBefore = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, DateTimeOffset.Parse(cutOff, CultureInfo.InvariantCulture), null), CancellationToken.None);
        modelBefore.Headline.ShouldBe("In 2015 SSEP withdrew 2.5 kg of narcotic drugs (1.0 kg in 2014), an increase of 150.0 %.");

        // Later: a re-weighing, a void, a lab result, and a new seizure in 2015.
        await ChangeAsync(a.Id, "corrections", new { reason = "re-weighed", quantity = new { value = 3m, unit = "kg" } }, a.Version);
        await ChangeAsync(b.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-1", submittedAt = "2015-07-02T09:00:00+06:00" }, b.Version);
        await ChangeAsync(b.Id, "lab-results", new
        {
            labCaseNumber = "SFC-1", confirmedSubstance = "heroin", netWeightGrams = 450m,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "analyst-1", reportDate = "2015-07-20",
        }, b.Version + 1);
        await RecordAsync(Body(occurredAt: "2015-09-01T10:30:00+06:00", value: 100m, unit: "g"));
        await WaitForProjectionsAsync();

        var (after, _) = await GetReportAsync(url);
        Encoding.UTF8.GetString(after).ShouldBe(Encoding.UTF8.GetString(before));
        after.ShouldBe(before); // byte for byte
        var modelAfter = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, modelBefore.Provenance.AsOf, null), CancellationToken.None);
        modelAfter.Headline.ShouldBe(modelBefore.Headline);
        modelAfter.YearTotal.ShouldBe(modelBefore.YearTotal);
        modelAfter.Provenance.HighWaterMark.ShouldBe(modelBefore.Provenance.HighWaterMark);
        foreach (var table in modelBefore.Tables)
            modelAfter.Table(table.Id).Rows.ShouldBe(table.Rows, table.Id);

        // Without as-of: the corrections count (3 kg + lab's 450 g + 100 g), and the lab's share shows.
        var now = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, null, null), CancellationToken.None);
        now.YearTotal.Grams.ShouldBe(3_550m);
        now.YearTotal.LabConfirmedGrams.ShouldBe(450m);
        now.YearTotal.LabConfirmedPercent.ShouldBe(Math.Round(450m / 3_550m * 100m, 1));
        now.Headline.ShouldBe("In 2015 SSEP withdrew 3.6 kg of narcotic drugs (1.0 kg in 2014), an increase of 255.0 %.");
        now.Provenance.HighWaterMark.ShouldBeGreaterThan(modelBefore.Provenance.HighWaterMark);
        var (current, _) = await GetReportAsync("/api/reports/annual/2015?baseline=2014&format=csv");
        Encoding.UTF8.GetString(current).ShouldContain("\nlab_confirmed_mass,g,450,0,\n");
    }

    [Fact]
    public async Task bad_parameters_are_refused_with_problem_details_naming_each_one()
    {
        var (body, type) = await GetReportAsync("/api/reports/annual/20x5?baseline=last&asOf=yesterday&agency=KGB&format=pdf", 400);
        type.ShouldStartWith("application/problem+json");
        var problem = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(body);
        ErrorFields(problem).ShouldBe(["agency", "asOf", "baseline", "format", "year"]);

        var (future, _) = await GetReportAsync($"/api/reports/annual/2015?asOf={Uri.EscapeDataString(Instant(DateTimeOffset.UtcNow.AddDays(2)))}", 400);
        ErrorFields(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(future)).ShouldBe(["asOf"]);
        var (same, _) = await GetReportAsync("/api/reports/annual/2015?baseline=2015", 400);
        ErrorFields(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(same)).ShouldBe(["baseline"]);
    }

    [Fact]
    public async Task the_report_command_writes_the_same_csv_bytes_as_the_route_for_the_same_as_of()
    {
        await LoadDemoAsync();
        await Task.Delay(100);
        var cutOff = Instant(DateTimeOffset.UtcNow);
        var (fromRoute, _) = await GetReportAsync($"/api/reports/annual/2015?baseline=2014&asOf={Uri.EscapeDataString(cutOff)}&format=csv");

        var dir = Directory.CreateTempSubdirectory("seizureintel-report-");
        try
        {
            var csv = Path.Combine(dir.FullName, "report.csv");
            var xlsx = Path.Combine(dir.FullName, "report.xlsx");
            var html = Path.Combine(dir.FullName, "report.html");
            (await RunCommandAsync("report", "annual", "--year", "2015", "--baseline", "2014", "--as-of", cutOff, "--format", "csv", "--out", csv)).ShouldBe(0);
            (await File.ReadAllBytesAsync(csv)).ShouldBe(fromRoute);
            (await RunCommandAsync("report", "annual", "--year", "2015", "--as-of", cutOff, "--agency", "ssep", "--format", "xlsx", "--out", xlsx)).ShouldBe(0);
            ReadWorkbook(await File.ReadAllBytesAsync(xlsx))["Summary"].Single(r => r.Length > 0 && r[0] == "headline")[1].ShouldBe(SeedHeadline);
            (await RunCommandAsync("report", "annual", "--year", "2015", "--out", html)).ShouldBe(0);
            (await File.ReadAllTextAsync(html)).ShouldContain(WebUtility.HtmlEncode(SeedHeadline));
            (await RunCommandAsync("report", "annual", "--year", "2015", "--format", "pdf", "--out", html)).ShouldNotBe(0);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs the node's binary as the command line, on this fixture's database and schema.</summary>
    private async Task<int> RunCommandAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SeizureIntel.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString;
        start.Environment["SeizureIntel__Schema"] = Fixture.Schema;
        start.Environment["SeizureIntel__Agency"] = "SSEP";
        start.Environment["SeizureIntel__LoadDemoData"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine($"$ report {string.Join(' ', args.Skip(1))} -> {process.ExitCode}\n{TailOf(await stdout)}\n{TailOf(await stderr)}");
        return process.ExitCode;
    }

    private static string TailOf(string text) => text.Length <= 2000 ? text : text[^2000..];

    /// <summary>Every sheet of a workbook, in order, as rows of cell texts (read back with the Open XML SDK that wrote it).</summary>
    private static Dictionary<string, List<string[]>> ReadWorkbook(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var result = new Dictionary<string, List<string[]>>();
        foreach (var sheet in workbook.Workbook.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
            result[sheet.Name!] = part.Worksheet.Descendants<Row>().Select(row =>
            {
                var cells = row.Elements<Cell>().ToList();
                var values = new string[cells.Count == 0 ? 0 : ColumnIndex(cells[^1].CellReference!) + 1];
                Array.Fill(values, "");
                foreach (var cell in cells)
                    values[ColumnIndex(cell.CellReference!)] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.Text!.Text : cell.CellValue?.Text ?? "";
                return values;
            }).ToList();
        }
        return result;
    }

    private static int ColumnIndex(string reference)
    {
        var letters = new string(reference.TakeWhile(char.IsLetter).ToArray());
        return letters.Aggregate(0, (n, c) => n * 26 + (c - 'A' + 1)) - 1;
    }

    /// <summary>When LibreOffice is installed, converts the workbook headless (it must open it); otherwise says it skipped this.</summary>
    private void ConvertWithLibreOfficeIfInstalled(byte[] xlsx)
    {
        var office = new[] { "soffice", "libreoffice" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)))
            .FirstOrDefault(File.Exists);
        if (office is null)
        {
            output.WriteLine("LibreOffice is not installed (no soffice/libreoffice on PATH): skipped converting the XLSX headless.");
            return;
        }
        var dir = Directory.CreateTempSubdirectory("seizureintel-xlsx-");
        try
        {
            var file = Path.Combine(dir.FullName, "report.xlsx");
            File.WriteAllBytes(file, xlsx);
            var start = new ProcessStartInfo(office) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--headless", "--convert-to", "csv", "--outdir", dir.FullName, file }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            process.WaitForExit(120_000).ShouldBeTrue("LibreOffice did not finish converting within 2 minutes");
            process.ExitCode.ShouldBe(0);
            File.Exists(Path.Combine(dir.FullName, "report.csv")).ShouldBeTrue("LibreOffice did not convert the workbook");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
