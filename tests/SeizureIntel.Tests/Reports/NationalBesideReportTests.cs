using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Intelligence.National.UnodcFixtures;

namespace SeizureIntel.Tests.Reports;

/// <summary>
/// The node's substance groups beside the national figures reported to UNODC, in GET /api/compare and in the annual
/// report (JSON, HTML, CSV, XLSX), against the real node and PostgreSQL. The expected figures are summed here from the
/// fixture's raw rows and the seizures recorded here, never taken from the product.
/// </summary>
public sealed class NationalBesideReportTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Hostile = "=cmd|' /C calc'!A0";
    private const string Edition = "2025-03";

    /// <summary>TEST FIXTURE, NOT DATA: UNODC-shaped rows with invented figures; 2015 cannabis herb repeats (summed); a hostile caveat.</summary>
    private static readonly FixtureRow[] National =
    [
        new("Kyrgyzstan", "KGZ", 2014, "Cannabis-type", "Cannabis herb", "Marijuana", 1500.5m, null),
        new("Kyrgyzstan", "KGZ", 2014, "Cannabis-type", "Cannabis resin", "Hashish", 240.25m, "Customs only"),
        new("Kyrgyzstan", "KGZ", 2014, "Opioids", "Heroin", null, 95.125m, Hostile),
        new("Kyrgyzstan", "KGZ", 2015, "Cannabis-type", "Cannabis herb", null, 1620m, null),
        new("Kyrgyzstan", "KGZ", 2015, "Cannabis-type", "Cannabis herb", null, 80m, "Financial year"),
        new("Kyrgyzstan", "KGZ", 2015, "Opioids", "Heroin", null, 102.4m, null),
        new("Kyrgyzstan", "KGZ", 2015, "Amphetamine-type stimulants", "Methamphetamine", null, 3.5m, null),
        new("Tajikistan", "TJK", 2015, "Opioids", "Heroin", null, 2100m, null),
    ];

    /// <summary>Seizures recorded here: (local date, substance, value, unit, grams, node group), groups written out by hand.</summary>
    private static readonly (string At, string Substance, decimal Value, string Unit, decimal Grams, string Group)[] Seized =
    [
        ("2014-06-10T10:00:00+06:00", "cannabis-resin", 1.25m, "kg", 1250m, "cannabis"),
        ("2014-07-01T10:00:00+06:00", "heroin", 250m, "g", 250m, "opioids"),
        ("2015-03-14T10:00:00+06:00", "cannabis-herb", 12m, "kg", 12000m, "cannabis"),
        ("2015-04-01T10:00:00+06:00", "cannabis-herb", 500m, "g", 500m, "cannabis"),
        ("2015-05-01T10:00:00+06:00", "heroin", 1.5m, "kg", 1500m, "opioids"),
        ("2015-05-02T10:00:00+06:00", "cocaine", 20m, "g", 20m, "cocaine-type"), // no national figure of the group
    ];

    private static decimal? Share(decimal grams, decimal? kg) =>
        kg is > 0 ? Math.Round(grams / (kg.Value * 1000m) * 100m, 1, MidpointRounding.AwayFromZero) : null;

    /// <summary>(year, group, own grams, national kg, share) for both years: every group either side has, KGZ only.</summary>
    private static List<(int Year, string Group, decimal Own, decimal? Kg, decimal? Share)> Expected()
    {
        var own = Seized.GroupBy(s => (Year: int.Parse(s.At[..4], CultureInfo.InvariantCulture), s.Group)).ToDictionary(g => g.Key, g => g.Sum(s => s.Grams));
        var national = National.Where(r => r.Code == "KGZ" && r.Year is 2014 or 2015).GroupBy(r => (r.Year, Group: NodeGroup(r.Group)))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Kg));
        return own.Keys.Union(national.Keys).OrderBy(k => k.Year).ThenBy(k => k.Group, StringComparer.Ordinal)
            .Select(k =>
            {
                var grams = own.GetValueOrDefault(k);
                decimal? kg = national.TryGetValue(k, out var n) ? n : null;
                return (k.Year, k.Group, grams, kg, Share(grams, kg));
            }).ToList();
    }

    private static List<(int Year, string Group, decimal Own, decimal? Kg, decimal? Share)> Rows(JsonElement national) =>
        national.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("year").GetInt32(), r.GetProperty("group").GetString()!,
            r.GetProperty("ownGrams").GetDecimal(), Dec(r.GetProperty("nationalKg")), Dec(r.GetProperty("sharePercent")))).ToList();

    private static decimal? Dec(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDecimal();

    private async Task ImportAsync()
    {
        using var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-User", "supervisor-1");
        var response = await client.PostAsync($"/api/reference-series/unodc?edition={Edition}",
            new ByteArrayContent(Clean(National)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task RecordAllAsync()
    {
        foreach (var s in Seized) await RecordAsync(Body(occurredAt: s.At, substance: s.Substance, value: s.Value, unit: s.Unit));
        await WaitForProjectionsAsync();
    }

    private async Task<byte[]> BytesAsync(string url, int status = 200)
    {
        var result = await Host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(status); });
        using var memory = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(memory);
        return memory.ToArray();
    }

    [Fact]
    public async Task Compare_sets_each_group_of_both_years_beside_the_national_figure_with_its_share_and_source()
    {
        await ImportAsync();
        await RecordAllAsync();

        var answer = await GetJsonAsync("/api/compare?year=2015&baseline=2014&by=group&national=kgz");
        var national = answer.GetProperty("national");
        Rows(national).ShouldBe(Expected());
        national.GetProperty("source").GetProperty("edition").GetString().ShouldBe(Edition);
        national.GetProperty("source").GetProperty("citation").GetString()!.ShouldContain("UNODC");
        national.GetProperty("countryName").GetString().ShouldBe("Kyrgyzstan");

        var rows = national.GetProperty("rows").EnumerateArray().ToList();
        var cannabis2015 = rows.Single(r => r.GetProperty("year").GetInt32() == 2015 && r.GetProperty("group").GetString() == "cannabis");
        cannabis2015.GetProperty("comments").EnumerateArray().Select(c => c.GetString()).ShouldBe(["Financial year"]);
        cannabis2015.GetProperty("ownKg").GetDecimal().ShouldBe(12.5m);
        var share = Share(12500m, 1620m + 80m)!.Value;
        cannabis2015.GetProperty("statement").GetString().ShouldBe(
            $"2015: the seizures this node holds (all agencies) were {share.ToString("0.0", CultureInfo.InvariantCulture)} % of Kyrgyzstan's reported seizures of Cannabis (UNODC, edition {Edition}).");
        var cocaine = rows.Single(r => r.GetProperty("group").GetString() == "cocaine-type");
        cocaine.GetProperty("statement").GetString()!.ShouldContain("has no figure");
        rows.Single(r => r.GetProperty("year").GetInt32() == 2014 && r.GetProperty("group").GetString() == "opioids")
            .GetProperty("comments")[0].GetString().ShouldBe(Hostile); // kept as the country wrote it; neutralised only in exports

        // the breakdown itself is unchanged by national=; without it there is no national part
        answer.GetProperty("rows").ToString().ShouldBe((await GetJsonAsync("/api/compare?year=2015&baseline=2014&by=group")).GetProperty("rows").ToString());
        (await GetJsonAsync("/api/compare?year=2015&baseline=2014")).GetProperty("national").ValueKind.ShouldBe(JsonValueKind.Null);
        // another country is its own series: Tajikistan's heroin only
        Rows((await GetJsonAsync("/api/compare?year=2015&baseline=2014&national=TJK")).GetProperty("national"))
            .Where(r => r.Kg is not null).ShouldBe([(2015, "opioids", 1500m, 2100m, Share(1500m, 2100m))]);
    }

    [Fact]
    public async Task Compare_refuses_bad_national_parameters_by_name_and_404s_without_a_series()
    {
        foreach (var (url, field) in new[] { ("&national=KG", "national"), ("&edition=2025", "edition"), ("&national=K1Z", "national") })
        {
            var (code, text) = await Host.GetAsRoleAsync(Roles.Analyst, "/api/compare?year=2015" + url);
            code.ShouldBe(400, url);
            ErrorFields(JsonSerializer.Deserialize<JsonElement>(text)).ShouldBe([field], url);
        }
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/compare?year=2015&national=KGZ")).Status.ShouldBe(404); // nothing imported
        await ImportAsync();
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/compare?year=2015&national=KGZ&edition=1999")).Status.ShouldBe(404);
        (await Host.GetAsRoleAsync(Roles.Analyst, $"/api/compare?year=2015&national=KGZ&edition={Edition}")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task The_annual_report_says_beside_the_national_figures_in_every_format_and_neutralises_hostile_caveats()
    {
        await ImportAsync();
        await RecordAllAsync();
        var expected = Expected();
        const string query = "/api/reports/annual/2015?baseline=2014&agency=SSEP&national=KGZ";

        // JSON: the model the other formats are drawn from
        var json = JsonSerializer.Deserialize<JsonElement>(await BytesAsync(query + "&format=json"));
        var national = json.GetProperty("national");
        Rows(national).ShouldBe(expected);
        national.GetProperty("source").GetProperty("edition").GetString().ShouldBe(Edition);
        national.GetProperty("source").GetProperty("importedBy").GetString().ShouldBe(""); // a report names no account
        var cannabis = expected.Single(e => e is { Year: 2015, Group: "cannabis" });
        var statement = $"2015: SSEP's seizures were {cannabis.Share!.Value.ToString("0.0", CultureInfo.InvariantCulture)} % of Kyrgyzstan's reported seizures of Cannabis (UNODC, edition {Edition}).";
        national.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("statement").GetString()).ShouldContain(statement);

        // HTML: the section, its source, the sentence
        var html = Encoding.UTF8.GetString(await BytesAsync(query + "&format=html"));
        html.ShouldContain("<h2>Beside the national figures</h2>");
        html.ShouldContain(WebUtility.HtmlEncode(statement));
        html.ShouldContain($"edition {Edition}");
        html.ShouldNotContain("supervisor-1");

        // CSV: a row per group and year; the hostile caveat neutralised, every figure as computed here
        var csv = Encoding.UTF8.GetString(await BytesAsync(query + "&format=csv"));
        var lines = csv.Split('\n');
        var start = Array.IndexOf(lines, "section,national");
        start.ShouldBeGreaterThan(0);
        lines[start + 1].ShouldBe("year,group,name,own_grams,national_kg,share_percent,comments,statement");
        var body = lines.Skip(start + 2).TakeWhile(l => l.Length > 0).ToList();
        body.Count.ShouldBe(expected.Count);
        string Num(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "";
        for (var i = 0; i < expected.Count; i++)
            body[i].ShouldStartWith($"{expected[i].Year},{expected[i].Group},");
        var opioids2014 = body.Single(l => l.StartsWith("2014,opioids,"));
        var o = expected.Single(e => e is { Year: 2014, Group: "opioids" });
        opioids2014.ShouldStartWith($"2014,opioids,Opioids,{Num(o.Own)},{Num(o.Kg)},{Num(o.Share)},'{Hostile},");
        csv.ShouldNotContain("," + Hostile);
        lines.ShouldContain("edition," + Edition);

        // XLSX: the sheet "National", numbers as numbers, the caveat neutralised
        var sheet = ReadSheet(await BytesAsync(query + "&format=xlsx"), "National");
        var header = sheet.FindIndex(r => r.FirstOrDefault() == "year");
        header.ShouldBeGreaterThan(0);
        var xrows = sheet.Skip(header + 1).ToList();
        xrows.Select(r => (int.Parse(r[0], CultureInfo.InvariantCulture), r[1], decimal.Parse(r[3], CultureInfo.InvariantCulture),
                r[4].Length == 0 ? (decimal?)null : decimal.Parse(r[4], CultureInfo.InvariantCulture),
                r[5].Length == 0 ? (decimal?)null : decimal.Parse(r[5], CultureInfo.InvariantCulture)))
            .ShouldBe(expected);
        xrows.Single(r => r[0] == "2014" && r[1] == "opioids")[6].ShouldBe("'" + Hostile);
        sheet.SelectMany(r => r).ShouldAllBe(cell => !cell.StartsWith('='));

        // Russian: the heading and the sentence in Russian, the share with a decimal comma
        var ru = Encoding.UTF8.GetString(await BytesAsync(query + "&format=html&lang=ru"));
        ru.ShouldContain("В сравнении с национальными данными");
        ru.ShouldContain(WebUtility.HtmlEncode(
            $"2015: изъятия SSEP составили {cannabis.Share!.Value.ToString("0.0", CultureInfo.InvariantCulture).Replace('.', ',')} % изъятий группы «Каннабис», о которых Kyrgyzstan сообщила в UNODC (издание {Edition})."));
    }

    [Fact]
    public async Task Without_a_series_the_report_says_so_and_shows_no_figure_and_without_national_it_has_no_section()
    {
        await RecordAllAsync();
        const string query = "/api/reports/annual/2015?baseline=2014&national=KGZ";
        var html = Encoding.UTF8.GetString(await BytesAsync(query));
        html.ShouldContain("<h2>Beside the national figures</h2>");
        html.ShouldContain("No UNODC national series is imported");
        var csv = Encoding.UTF8.GetString(await BytesAsync(query + "&format=csv"));
        csv.ShouldContain("note,\"No UNODC national series is imported (POST /api/reference-series/unodc), so no national figures are shown.\"");
        var lines = csv.Split('\n');
        lines[Array.IndexOf(lines, "section,national") + 2].ShouldBe(""); // the header, then no row
        var json = JsonSerializer.Deserialize<JsonElement>(await BytesAsync(query + "&format=json")).GetProperty("national");
        (json.GetProperty("source").ValueKind, json.GetProperty("rows").GetArrayLength()).ShouldBe((JsonValueKind.Null, 0));
        ReadSheet(await BytesAsync(query + "&format=xlsx"), "National").SelectMany(r => r).ShouldContain(c => c.StartsWith("No UNODC national series"));

        var plain = Encoding.UTF8.GetString(await BytesAsync("/api/reports/annual/2015?baseline=2014"));
        plain.ShouldNotContain("Beside the national figures");
        (await BytesAsync("/api/reports/annual/2015?national=KGZ&edition=1999", 404)).Length.ShouldBeGreaterThan(0);
        var (code, text) = await Host.GetAsRoleAsync(Roles.Analyst, "/api/reports/annual/2015?national=KGZX&edition=2025&format=pdf");
        code.ShouldBe(400);
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(text)).ShouldBe(["format", "national"]);
        (code, text) = await Host.GetAsRoleAsync(Roles.Analyst, "/api/reports/annual/2015?edition=2025");
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(text)).ShouldBe(["edition"]);
    }

    [Fact]
    public void The_command_line_takes_national_and_edition_as_the_route_does()
    {
        var now = new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.FromHours(6));
        var (request, _, problems) = SeizureIntel.Reports.Annual.ReportCommand.Parse(
            new SeizureIntel.Reports.Annual.ReportInput { YearFlag = "2015", NationalFlag = "kgz", EditionFlag = " 2025-03 " }, now);
        problems.Any.ShouldBeFalse();
        (request!.National, request.Edition).ShouldBe(("KGZ", "2025-03"));
        (request, _, problems) = SeizureIntel.Reports.Annual.ReportCommand.Parse(new SeizureIntel.Reports.Annual.ReportInput { YearFlag = "2015", EditionFlag = "2025" }, now);
        request.ShouldBeNull();
        problems.Errors.Keys.ShouldBe(["edition"]);
    }

    /// <summary>One sheet of a workbook as rows of cell texts (inline strings or values).</summary>
    private static List<string[]> ReadSheet(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        return part.Worksheet.Descendants<Row>().Select(row =>
        {
            var cells = row.Elements<Cell>().ToList();
            var values = new string[cells.Count == 0 ? 0 : Column(cells[^1].CellReference!) + 1];
            Array.Fill(values, "");
            foreach (var cell in cells)
                values[Column(cell.CellReference!)] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.Text!.Text : cell.CellValue?.Text ?? "";
            return values;
        }).ToList();
    }

    private static int Column(string reference) => new string(reference.TakeWhile(char.IsLetter).ToArray()).Aggregate(0, (n, c) => n * 26 + (c - 'A' + 1)) - 1;
}
