using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Demo;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Reports.Annual;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using SeizureIntel.Tests.Operations;
using SeizureIntel.Tests.Support;
using Xunit.Abstractions;

namespace SeizureIntel.Tests.Reports;

public sealed class AnnualReportTests(NodeFixture fixture, ITestOutputHelper output) : OperationTest(fixture)
{
    private const string SeedHeadline = "In 2015 SSEP withdrew 140.9 kg of narcotic drugs (119.9 kg in 2014), an increase of 17.5 %.";

    private async Task LoadDemoAsync()
    {
        (await DemoData.LoadAsync(Host.Services, CancellationToken.None)).ShouldBeGreaterThan(0);
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
        sheets.Keys.ShouldBe(["Summary", "Agency", "Substance group", "Substance", "Facility", "Oblast", "Detection", "Method of entry", "Month", "Joint operations", "Change in grams"]);
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

    /// <summary>A seizure as the report test knows it: its best weight (lab, else field) and whether it counts.</summary>
    private sealed class Find(RawSeizure raw, string agency = "SSEP")
    {
        public RawSeizure Raw { get; } = raw;
        public string Agency { get; } = agency;
        public Guid Id { get; set; }
        public string Reference { get; set; } = "";
        public long Version { get; set; } = 1;
        public decimal? LabGrams { get; set; }
        public bool Voided { get; set; }
        public bool Duplicate { get; set; }
        public decimal Grams => LabGrams ?? Raw.Grams ?? 0m;
        public bool Counts => !Voided && !Duplicate;
    }

    /// <summary>An operation as the report test knows it: its lead, launch, what is linked now, arrests and cases.</summary>
    private sealed class Op(string codeName, string lead, DateTimeOffset? launchedAt)
    {
        public string CodeName { get; } = codeName;
        public string Lead { get; } = lead;
        public DateTimeOffset? LaunchedAt { get; } = launchedAt;
        public Guid Id { get; set; }
        public bool Cancelled { get; set; }
        public HashSet<Find> Linked { get; } = [];
        public List<int> Arrests { get; } = [];
        public List<(string Agency, string Number)> Cases { get; } = [];

        // Kyrgyzstan keeps UTC+6 all year: an operation counts in the local year of its launch, none if never launched or cancelled.
        public int? Year => LaunchedAt is { } at && !Cancelled ? at.UtcDateTime.AddHours(6).Year : null;
    }

    private sealed record Figures(int Operations, int Seizures, decimal Grams, int Arrests, int Cases);

    /// <summary>The test's own figures: each counted seizure and each case (agency, number) once however many operations list it.</summary>
    private static Figures Expect(IEnumerable<Op> ops, int year, string? lead = null)
    {
        var counted = ops.Where(o => o.Year == year && (lead is null || o.Lead == lead)).ToList();
        var seizures = counted.SelectMany(o => o.Linked).Distinct().Where(s => s.Counts).ToList();
        return new Figures(counted.Count, seizures.Count, seizures.Sum(s => s.Grams), counted.Sum(o => o.Arrests.Sum()),
            counted.SelectMany(o => o.Cases).Select(c => (c.Agency, c.Number.ToUpperInvariant())).Distinct().Count());
    }

    private static Figures Of(SeizureIntel.Intelligence.JointOperations.JointOperationsYear y) => new(y.Count, y.Seizures, y.Grams, y.Arrests, y.Cases);

    private static Figures Of(JsonElement j) => new(j.GetProperty("count").GetInt32(), j.GetProperty("seizures").GetInt32(),
        j.GetProperty("grams").GetDecimal(), j.GetProperty("arrests").GetInt32(), j.GetProperty("cases").GetInt32());

    /// <summary>The CSV's joint_operations section as (year, baseline) figures, parsed from the text.</summary>
    private static (Figures Year, Figures Baseline) JointOperationsOf(string csv)
    {
        var lines = csv.Split('\n');
        var start = Array.IndexOf(lines, "section,joint_operations");
        start.ShouldBeGreaterThan(0, "the CSV has a joint_operations section");
        lines[start + 1].ShouldBe("measure,unit,year,baseline");
        var rows = lines.Skip(start + 2).TakeWhile(l => l.Length > 0).Select(l => l.Split(',')).ToDictionary(f => (f[0], f[1]), f => (f[2], f[3]));
        rows.Keys.ShouldBe([("operations", "count"), ("seizures", "count"), ("mass", "g"), ("arrests", "count"), ("criminal_cases", "count")]);
        Figures Pick(Func<(string, string), string> side) => new(
            int.Parse(side(rows[("operations", "count")]), CultureInfo.InvariantCulture), int.Parse(side(rows[("seizures", "count")]), CultureInfo.InvariantCulture),
            decimal.Parse(side(rows[("mass", "g")]), CultureInfo.InvariantCulture), int.Parse(side(rows[("arrests", "count")]), CultureInfo.InvariantCulture),
            int.Parse(side(rows[("criminal_cases", "count")]), CultureInfo.InvariantCulture));
        return (Pick(r => r.Item1), Pick(r => r.Item2));
    }

    private async Task<long> ActOnAsync(Op op, string action, object body) =>
        await DoAsync(op.Id, action, body, await VersionOfAsync(op.Id), "report-officer-2");

    private async Task<Op> StartOpAsync(string codeName, string lead, string[] agencies, string plannedStart, string plannedEnd, string? launchedAt)
    {
        var op = new Op(codeName, lead, launchedAt is null ? null : DateTimeOffset.Parse(launchedAt, CultureInfo.InvariantCulture));
        op.Id = (await PlanAsync(Plan(codeName, lead, agencies, ["SIZO-1"], null, plannedStart, plannedEnd))).Id;
        if (launchedAt is not null) await ActOnAsync(op, "launch", new { launchedAt });
        return op;
    }

    /// <summary>This node's seizure, recorded into <paramref name="joint"/> (detection joint-operation) or on its own.</summary>
    private async Task<Find> RecordFindAsync(RawSeizure raw, Op? joint = null)
    {
        var find = new Find(raw);
        var body = joint is null ? raw.Body : new
        {
            facilityId = raw.Facility, occurredAt = raw.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture), substance = raw.Substance,
            quantity = new { value = raw.Value, unit = raw.Unit }, detection = "joint-operation", operationId = joint.Id,
        };
        var created = await RecordAsync(body, "report-officer-1");
        (find.Id, find.Reference) = (created.Id, created.Reference);
        joint?.Linked.Add(find);
        return find;
    }

    private int _partnerNumber;

    /// <summary>A partner's seizure in this store (see <see cref="OperationTest.AppendSeizureOfAsync"/>).</summary>
    private async Task<Find> PartnerFindAsync(string agency, RawSeizure raw)
    {
        var find = new Find(raw, agency) { Reference = $"{agency}-{raw.Year}-{++_partnerNumber:D6}" };
        find.Id = await AppendSeizureOfAsync(agency, find.Reference, raw);
        return find;
    }

    private async Task LinkFindAsync(Op op, Find find)
    {
        await ActOnAsync(op, "seizures", new { seizureId = find.Id });
        op.Linked.Add(find);
    }

    private async Task ArrestAsync(Op op, int count)
    {
        await ActOnAsync(op, "arrests", new { count, charges = new[] { "Art. 283 CC KR" } });
        op.Arrests.Add(count);
    }

    private async Task CaseAsync(Op op, string number, string agency)
    {
        await ActOnAsync(op, "cases", new { caseNumber = number, agency });
        op.Cases.Add((agency, number));
    }

    private static RawSeizure Raw(string at, string substance, decimal value, string unit, string detection = "cell-search") =>
        new("SIZO-1", DateTimeOffset.Parse(at, CultureInfo.InvariantCulture), substance, value, unit, detection);

    /// <summary>What every view of the report must show for these operations: the year summaries' JSON, the report model, its CSV and XLSX.</summary>
    private async Task ShouldShowAsync(Dictionary<(int Year, string? Lead), Figures> expected, string? asOf, string because)
    {
        var asOfQuery = asOf is null ? "" : $"&asOf={Uri.EscapeDataString(asOf)}";
        DateTimeOffset? cutOff = asOf is null ? null : DateTimeOffset.Parse(asOf, CultureInfo.InvariantCulture);
        foreach (var year in new[] { 2015, 2014 })
        {
            var url = $"/api/years/{year}/summary" + (asOf is null ? "" : $"?asOf={Uri.EscapeDataString(asOf)}");
            var json = (await GetJsonAsync(url)).GetProperty("jointOperations");
            Of(json).ShouldBe(expected[(year, null)], $"{because}: year summary {year}");
            var byLead = json.GetProperty("byLeadAgency").EnumerateArray().ToDictionary(r => r.GetProperty("agency").GetString()!, Of);
            var leads = expected.Keys.Where(k => k.Year == year && k.Lead is not null && expected[k].Operations > 0).Select(k => k.Lead!).Order().ToList();
            byLead.Keys.Order().ShouldBe(leads, ignoreOrder: false, customMessage: $"{because}: leads {year}");
            foreach (var lead in leads) byLead[lead].ShouldBe(expected[(year, lead)], $"{because}: {year} led by {lead}");
        }

        foreach (var agency in new string?[] { null, "SSEP", "SSDC", "MVD" })
        {
            var (year, baseline) = (expected[(2015, agency)], expected[(2014, agency)]);
            var model = await Reports.BuildAsync(new AnnualReportRequest(2015, 2014, cutOff, agency), CancellationToken.None);
            (Of(model.JointOperations.Year), Of(model.JointOperations.Baseline)).ShouldBe((year, baseline), $"{because}: report model, agency {agency ?? "all"}");

            var agencyQuery = agency is null ? "" : $"&agency={agency}";
            var (csv, _) = await GetReportAsync($"/api/reports/annual/2015?baseline=2014&format=csv{asOfQuery}{agencyQuery}");
            JointOperationsOf(Encoding.UTF8.GetString(csv)).ShouldBe((year, baseline), $"{because}: CSV, agency {agency ?? "all"}");
        }

        // The HTML's table, cell by cell: mass in kg to three decimals, counts with thousands separators.
        var (html, _) = await GetReportAsync($"/api/reports/annual/2015?baseline=2014&format=html{asOfQuery}");
        var text = Encoding.UTF8.GetString(html);
        var table = text[text.IndexOf("<h2>Joint operations</h2>", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
        var cells = System.Text.RegularExpressions.Regex.Matches(table, "<tr><td class=\"k\">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>")
            .Select(m => new[] { m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value }).ToList();
        var (hy, hb) = (expected[(2015, null)], expected[(2014, null)]);
        string C(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
        string Kg(decimal g) => (g / 1000m).ToString("#,0.000", CultureInfo.InvariantCulture);
        cells.ShouldBe([
            ["operations launched", "count", C(hy.Operations), C(hb.Operations)], ["seizures linked", "count", C(hy.Seizures), C(hb.Seizures)],
            ["mass of linked seizures", "kg", Kg(hy.Grams), Kg(hb.Grams)], ["arrests", "count", C(hy.Arrests), C(hb.Arrests)],
            ["criminal cases opened", "count", C(hy.Cases), C(hb.Cases)]], $"{because}: HTML");

        var (xlsx, _) = await GetReportAsync($"/api/reports/annual/2015?baseline=2014&format=xlsx{asOfQuery}");
        var sheet = ReadWorkbook(xlsx)["Joint operations"];
        string N(decimal d) => SeizureIntel.Reports.Annual.AnnualReportCsv.Num(d);
        var (y, b) = (expected[(2015, null)], expected[(2014, null)]);
        sheet.Skip(1).ShouldBe([
            ["operations", "count", N(y.Operations), N(b.Operations)], ["seizures", "count", N(y.Seizures), N(b.Seizures)],
            ["mass", "g", N(y.Grams), N(b.Grams)], ["arrests", "count", N(y.Arrests), N(b.Arrests)],
            ["criminal cases", "count", N(y.Cases), N(b.Cases)]], $"{because}: XLSX");
    }

    private static Dictionary<(int, string?), Figures> ExpectAll(Op[] ops) =>
        new[] { 2014, 2015 }.SelectMany(year => new string?[] { null, "SSEP", "SSDC", "MVD" }.Select(lead => (year, lead)))
            .ToDictionary(k => ((int, string?))k, k => Expect(ops, k.year, k.lead));

    [Fact]
    public async Task the_joint_operations_section_counts_each_years_operations_in_every_state_as_the_test_computes_them_now_and_as_of()
    {
        string[] mou = ["SSEP", "SSDC"];

        // 2014. Barrier-14, led by SSEP: concluded, with three seizures (one recorded into it, one of SSDC's), arrests and cases.
        var barrier = await StartOpAsync("Barrier-14", "SSEP", mou, "2014-05-01T08:00:00+06:00", "2014-06-30T20:00:00+06:00", "2014-05-02T09:00:00+06:00");
        var s1 = await RecordFindAsync(Raw("2014-05-03T10:00:00+06:00", "heroin", 200m, "g", "joint-operation"), barrier);
        var s2 = await PartnerFindAsync("SSDC", Raw("2014-05-04T12:00:00+06:00", "cannabis-resin", 0.5m, "kg", "intelligence-led"));
        var s3 = await RecordFindAsync(Raw("2014-05-05T16:00:00+06:00", "opium", 0.2m, "kg"));
        await LinkFindAsync(barrier, s2);
        await LinkFindAsync(barrier, s3);
        await ArrestAsync(barrier, 3);
        await ArrestAsync(barrier, 1);
        await CaseAsync(barrier, "21-0042", "SSEP");
        await CaseAsync(barrier, "SSDC-2014-11", "SSDC");
        await ActOnAsync(barrier, "conclude", new { summary = "Parcel-room channel closed.", concludedAt = "2014-06-20T18:00:00+06:00" });
        // Late-14, led by MVD: launched at 23:00 on 31 December 2014 in Bishkek, still running: it counts in 2014.
        var late = await StartOpAsync("Late-14", "MVD", ["MVD", "SSEP"], "2014-12-30T08:00:00+06:00", "2015-01-15T20:00:00+06:00", "2014-12-31T17:00:00Z");
        var s11 = await RecordFindAsync(Raw("2014-12-31T23:30:00+06:00", "heroin", 40m, "g", "joint-operation"), late);
        await ArrestAsync(late, 1);

        // 2015. Night-Watch, led by SSDC: launched at 01:00 on 1 January 2015 in Bishkek (2014 in UTC), running; its seizure is dated 2014.
        var night = await StartOpAsync("Night-Watch", "SSDC", mou, "2014-12-30T08:00:00+06:00", "2015-02-28T20:00:00+06:00", "2014-12-31T19:00:00Z");
        var s4 = await RecordFindAsync(Raw("2014-12-31T10:00:00+06:00", "cannabis-herb", 0.75m, "kg"));
        await LinkFindAsync(night, s4);
        await ArrestAsync(night, 2);
        await CaseAsync(night, "SSDC-2015-7", "SSDC");
        // Spring-15, led by SSEP: five seizures recorded or linked, arrests, a case shared with Night-Watch.
        var spring = await StartOpAsync("Spring-15", "SSEP", mou, "2015-03-01T08:00:00+06:00", "2015-04-30T20:00:00+06:00", "2015-03-02T09:00:00+06:00");
        var s6 = await RecordFindAsync(Raw("2015-03-03T10:15:00+06:00", "cannabis-resin", 1.25m, "kg", "joint-operation"), spring);
        var s7 = await RecordFindAsync(Raw("2015-03-04T11:00:00+06:00", "tramadol", 20m, "tablet", "joint-operation"), spring); // no known mass
        var s8 = await RecordFindAsync(Raw("2015-03-05T12:00:00+06:00", "heroin", 30m, "g", "joint-operation"), spring);
        var s9 = await PartnerFindAsync("SSDC", Raw("2015-03-03T10:15:00+06:00", "cannabis-resin", 1.25m, "kg", "intelligence-led"));
        var s10 = await RecordFindAsync(Raw("2015-03-06T13:00:00+06:00", "methamphetamine", 15m, "g", "joint-operation"), spring);
        await LinkFindAsync(spring, s9);
        await ArrestAsync(spring, 5);
        await CaseAsync(spring, "ssdc-2015-7", "SSDC"); // Night-Watch's case again: one case, counted once in the year
        await CaseAsync(spring, "21-0100", "SSEP");
        // Compromised, led by SSEP: launched with a seizure and arrests (cancelled later); Shelved: planned, never launched.
        var compromised = await StartOpAsync("Compromised", "SSEP", mou, "2015-06-01T08:00:00+06:00", "2015-07-31T20:00:00+06:00", "2015-06-01T09:00:00+06:00");
        var s5 = await RecordFindAsync(Raw("2015-06-01T12:00:00+06:00", "heroin", 999m, "g"));
        await LinkFindAsync(compromised, s5);
        await ArrestAsync(compromised, 4);
        var shelved = await StartOpAsync("Shelved", "SSEP", mou, "2015-09-01T08:00:00+06:00", "2015-10-31T20:00:00+06:00", launchedAt: null);
        // Their-Raid: SSDC's own operation, shared with SSEP, received here with its seizure, arrests and case.
        var sp = await PartnerFindAsync("SSDC", Raw("2015-05-10T14:00:00+06:00", "heroin", 60m, "g", "intelligence-led"));
        var theirs = new Op("Their-Raid", "SSDC", DateTimeOffset.Parse("2015-05-10T09:00:00+06:00", CultureInfo.InvariantCulture));
        theirs.Id = await AppendPartnerOperationAsync("SSDC", theirs.CodeName, launchedAt: "2015-05-10T09:00:00+06:00",
            seizures: [(sp.Id, sp.Agency, sp.Reference)], arrests: [2], cases: [("SSDC-2015-31", "SSDC")]);
        theirs.Linked.Add(sp);
        theirs.Arrests.Add(2);
        theirs.Cases.Add(("SSDC", "SSDC-2015-31"));
        // A seizure of no operation counts in the year's totals, not in its joint operations.
        await RecordFindAsync(Raw("2015-07-01T10:00:00+06:00", "heroin", 500m, "g", "visitor-search"));

        Op[] ops = [barrier, late, night, spring, compromised, shelved, theirs];
        await WaitForProjectionsAsync();
        await Task.Delay(100);
        var cutOff = Instant(DateTimeOffset.UtcNow);
        var asAtCutOff = ExpectAll(ops);
        await Task.Delay(100);

        // The test's own arithmetic at the cut-off, by hand: 2014 Barrier-14 and Late-14; 2015 Night-Watch, Spring-15, Compromised, Their-Raid.
        asAtCutOff[(2014, null)].ShouldBe(new Figures(2, 4, 200m + 500m + 200m + 40m, 3 + 1 + 1, 2));
        asAtCutOff[(2015, null)].ShouldBe(new Figures(4, 8, 750m + 1250m + 30m + 1250m + 15m + 999m + 60m, 2 + 5 + 4 + 2, 3));

        // Later: a lab result, a void, a duplicate mark, a seizure corrected out of its operation, a cancellation, a
        // conclusion and more arrests.
        await ChangeAsync(s3.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-2014-88", submittedAt = "2014-05-06T09:00:00+06:00" }, 1);
        await ChangeAsync(s3.Id, "lab-results", new
        {
            labCaseNumber = "SFC-2014-88", confirmedSubstance = "opium", netWeightGrams = 180.25m,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "analyst-3", reportDate = "2014-05-20",
        }, 2);
        s3.LabGrams = 180.25m;
        await ChangeAsync(s8.Id, "void", new { reason = "test kit false positive" }, 1);
        s8.Voided = true;
        await ChangeAsync(s9.Id, "duplicate-of", new { duplicateOf = s6.Id, reason = "SSDC recorded the same resin" }, 1);
        s9.Duplicate = true;
        await ChangeAsync(s10.Id, "corrections", new { reason = "found in the routine cell search", detection = "cell-search" }, 1);
        spring.Linked.Remove(s10);
        await ActOnAsync(compromised, "cancel", new { reason = "operation compromised" });
        compromised.Cancelled = true;
        await ActOnAsync(spring, "conclude", new { summary = "Resin channel closed.", concludedAt = "2015-04-20T18:00:00+06:00" });
        await ArrestAsync(night, 1);
        await WaitForProjectionsAsync();

        var now = ExpectAll(ops);
        now[(2014, null)].ShouldBe(new Figures(2, 4, 200m + 500m + 180.25m + 40m, 5, 2));
        now[(2015, null)].ShouldBe(new Figures(3, 4, 750m + 1250m + 0m + 60m, 2 + 1 + 5 + 2, 3)); // s7 counts without mass
        now[(2015, "SSDC")].ShouldBe(new Figures(2, 2, 810m, 5, 2));
        now[(2015, "SSEP")].ShouldBe(new Figures(1, 2, 1250m, 5, 2));

        await ShouldShowAsync(now, null, "now");
        await ShouldShowAsync(asAtCutOff, cutOff, "as of the cut-off");
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
