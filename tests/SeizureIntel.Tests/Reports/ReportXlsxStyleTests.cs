using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Reports;

/// <summary>The XLSX opens the way a person expects: bold frozen header, years as headings, filters, units in formats.</summary>
public sealed class ReportXlsxStyleTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task table_sheets_have_a_bold_frozen_header_with_the_years_filters_and_formats_with_units()
    {
        await RecordAsync(Body(occurredAt: "2015-03-14T10:30:00+06:00", substance: "heroin", value: 1250, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-03-14T10:30:00+06:00", substance: "heroin", value: 1000, unit: "g"));
        await WaitForProjectionsAsync();
        var result = await Host.Scenario(s => s.Get.Url("/api/reports/annual/2015?baseline=2014&format=xlsx"));
        using var stream = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(stream);
        stream.Position = 0;
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart!;
        var formats = workbook.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ToList();
        var fonts = workbook.WorkbookStylesPart.Stylesheet.Fonts!.Elements<Font>().ToList();
        var numberFormats = workbook.WorkbookStylesPart.Stylesheet.NumberingFormats!.Elements<NumberingFormat>()
            .ToDictionary(n => n.NumberFormatId!.Value, n => n.FormatCode!.Value!);

        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == "Substance");
        var worksheet = ((WorksheetPart)workbook.GetPartById(sheet.Id!)).Worksheet;
        var rows = worksheet.Descendants<Row>().ToList();
        var header = rows[0].Elements<Cell>().ToList();
        header.Select(c => c.InlineString!.Text!.Text).ShouldContain("2015 mass (g)");
        header.Select(c => c.InlineString!.Text!.Text).ShouldContain("2014 mass (g)");
        header.ShouldAllBe(c => fonts[(int)formats[(int)c.StyleIndex!.Value].FontId!.Value].Bold != null);

        var pane = worksheet.Descendants<Pane>().Single();
        pane.State!.Value.ShouldBe(PaneStateValues.Frozen);
        pane.TopLeftCell!.Value.ShouldBe("A2");
        worksheet.Elements<AutoFilter>().Single().Reference!.Value.ShouldBe($"A1:K{rows.Count}");

        // heroin's 2015 mass: the value stays exact grams, shown with thousands separators and its unit.
        var heroin = rows.Single(r => r.Elements<Cell>().First().InlineString?.Text?.Text == "heroin").Elements<Cell>().ToList();
        var mass = heroin.Single(c => c.CellReference == $"D{heroin[0].CellReference!.Value![1..]}");
        decimal.Parse(mass.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1250m);
        numberFormats[formats[(int)mass.StyleIndex!.Value].NumberFormatId!.Value].ShouldContain("\" g\"");
    }
}
