using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// The report as an XLSX workbook (Open XML SDK): a sheet "Summary" (headline, provenance, totals), one sheet per
/// table with the same columns as the CSV, and "Joint operations". Numbers are numeric cells (grams exact), text is
/// inline strings; no formulas, so every reader (Excel, LibreOffice) shows the same values. Styled as a person
/// expects: bold header rows frozen at the top, the years as column headings, filters on every table, thousands
/// separators and units in the number formats (the values stay exact grams, counts and percent).
/// </summary>
public static class AnnualReportXlsx
{
    public const string SummarySheet = "Summary";
    public const string JointOperationsSheet = "Joint operations";
    public const string EffortSheet = "Effort";
    public const string ChangeSheet = "Change in grams";
    public const string NationalSheet = "National";

    /// <summary>The sheet that holds a table: its title without "By ", e.g. "substance group (UNODC)" → "Substance group".</summary>
    public static string SheetName(ComparisonTable table) => table.Id switch
    {
        "agency" => "Agency",
        "substance-group" => "Substance group",
        "substance" => "Substance",
        "facility" => "Facility",
        "oblast" => "Oblast",
        "detection" => "Detection",
        "entry" => "Method of entry",
        "month" => "Month",
        _ => table.Id,
    };

    /// <summary>A table sheet's header row, with the years as headings, e.g. "2015 seizures (count)".</summary>
    public static string[] RowHeader(int year, int baseline, string language = ReportText.English)
    {
        string T(string english, object? arg = null) => string.Format(CultureInfo.InvariantCulture, ReportText.T(language, english), arg);
        return
        [
            T("key"), T("name"),
            T("{0} seizures (count)", year), T("{0} mass (g)", year), T("{0} lab-confirmed mass (g)", year), T("{0} without mass (count)", year),
            T("{0} seizures (count)", baseline), T("{0} mass (g)", baseline), T("{0} lab-confirmed mass (g)", baseline), T("{0} without mass (count)", baseline),
            T("change of mass (%)"),
        ];
    }

    // Cell styles (indexes into the stylesheet's cell formats).
    private const uint Plain = 0, Header = 1, Count = 2, Grams = 3, Percent = 4, Title = 5;

    /// <summary>The style of each column of a table sheet, by position in <see cref="RowHeader"/>.</summary>
    private static readonly uint[] TableColumns = [Plain, Plain, Count, Grams, Grams, Count, Count, Grams, Grams, Count, Percent];

    private static Stylesheet Styles() => new(
        new NumberingFormats(
            new NumberingFormat { NumberFormatId = 164, FormatCode = "#,##0.0##\" g\"" },
            new NumberingFormat { NumberFormatId = 165, FormatCode = "+0.0\" %\";-0.0\" %\";0.0\" %\"" }) { Count = 2 },
        new Fonts(new Font(), new Font(new Bold()), new Font(new Bold(), new FontSize { Val = 14 })) { Count = 3 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
            new Fill(new PatternFill(new ForegroundColor { Rgb = "FFE7ECF2" }) { PatternType = PatternValues.Solid })) { Count = 3 },
        new Borders(new Border()) { Count = 1 },
        new CellFormats(
            new CellFormat(),
            new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { FontId = 1, FillId = 2, ApplyFont = true, ApplyFill = true, ApplyAlignment = true },
            new CellFormat { NumberFormatId = 3, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 165, ApplyNumberFormat = true },
            new CellFormat { FontId = 2, ApplyFont = true }) { Count = 6 });

    public static byte[] Render(AnnualReport r)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            workbook.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            uint id = 1;

            // style(row, column, value) picks each cell's style; a table sheet has its header frozen and filters on.
            void AddSheet(string name, IEnumerable<object?[]> rows, Func<uint, int, uint> style, bool table)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                uint index = 1;
                var width = 0;
                foreach (var values in rows)
                {
                    var row = new Row { RowIndex = index };
                    for (var c = 0; c < values.Length; c++)
                        if (Cell(values[c], Column(c) + index) is { } cell)
                        {
                            if (style(index, c) is var s and > 0) cell.StyleIndex = s;
                            row.Append(cell);
                        }
                    width = Math.Max(width, values.Length);
                    data.Append(row);
                    index++;
                }
                var worksheet = new Worksheet();
                if (table)
                    worksheet.Append(new SheetViews(new SheetView(new Pane
                    {
                        VerticalSplit = 1, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen,
                    }) { WorkbookViewId = 0 }));
                worksheet.Append(new Columns(new Column { Min = 1, Max = 2, Width = 36, CustomWidth = true },
                    new Column { Min = 3, Max = 11, Width = 18, CustomWidth = true }), data);
                if (table && index > 1) worksheet.Append(new AutoFilter { Reference = $"A1:{Column(Math.Max(width, 1) - 1)}{index - 1}" });
                part.Worksheet = worksheet;
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = name });
            }

            var (y, b) = (r.JointOperations.Year, r.JointOperations.Baseline);
            string T(string english) => ReportText.T(r.Language, english);
            AddSheet(T(SummarySheet),
            [
                [T("Annual comparison report"), $"{r.Year} / {r.Baseline}"],
                [T("headline"), r.Headline],
                [],
                [T("year"), r.Year],
                [T("baseline"), r.Baseline],
                [T("agency"), r.Agency ?? T("all")],
                [T("as of (UTC)"), r.Provenance.AsOf is { } asOf ? AnnualReportCsv.Instant(asOf) : T("now")],
                [T("event-store high-water mark"), r.Provenance.HighWaterMark],
                [T("high-water mark source"), r.Provenance.HighWaterMarkSource],
                [T("conversion table version"), r.Provenance.ConversionTableVersion],
                [T("node"), r.Provenance.Node],
                [T("generated at (UTC)"), AnnualReportCsv.Instant(r.Provenance.GeneratedAt)],
                [],
                [T("measure"), T("unit"), r.Year, r.Baseline, T("change (%)")],
                [T("seizures"), T("count"), r.YearTotal.Count, r.BaselineTotal.Count],
                [T("mass"), T("g"), r.YearTotal.Grams, r.BaselineTotal.Grams, r.ChangePercent],
                [T("lab-confirmed mass"), T("g"), r.YearTotal.LabConfirmedGrams, r.BaselineTotal.LabConfirmedGrams],
                [T("lab-confirmed share"), "%", r.YearTotal.LabConfirmedPercent, r.BaselineTotal.LabConfirmedPercent],
                [T("without mass"), T("count"), r.YearTotal.WithoutMass, r.BaselineTotal.WithoutMass],
            ], (row, c) => row switch
            {
                1 => c == 0 ? Title : Header,
                14 => Header,
                16 when c is 2 or 3 => Grams,
                17 when c is 2 or 3 => Grams,
                16 when c == 4 => Percent,
                _ => Plain,
            }, table: false);
            foreach (var table in r.Tables)
                AddSheet(T(SheetName(table)), new[] { RowHeader(r.Year, r.Baseline, r.Language).Cast<object?>().ToArray() }.Concat(table.Rows.Select(row => new object?[]
                {
                    row.Key, row.Name,
                    row.Year.Count, row.Year.Grams, row.Year.LabConfirmedGrams, row.Year.WithoutMass,
                    row.Baseline.Count, row.Baseline.Grams, row.Baseline.LabConfirmedGrams, row.Baseline.WithoutMass,
                    row.ChangePercent,
                })), (row, c) => row == 1 ? Header : TableColumns[c], table: true);
            AddSheet(T(JointOperationsSheet),
            [
                [T("measure"), T("unit"), r.Year, r.Baseline],
                [T("operations"), T("count"), y.Count, b.Count],
                [T("seizures"), T("count"), y.Seizures, b.Seizures],
                [T("mass"), T("g"), y.Grams, b.Grams],
                [T("arrests"), T("count"), y.Arrests, b.Arrests],
                [T("criminal cases"), T("count"), y.Cases, b.Cases],
            ], (row, c) => row == 1 ? Header : row == 4 && c >= 2 ? Grams : c >= 2 ? Count : Plain, table: true);
            if (r.EffortRows.Count > 0)
                AddSheet(T(EffortSheet), new[] { AnnualReportCsv.EffortHeader.Select(h => (object?)h).ToArray() }.Concat(r.EffortRows.Select(e => new object?[]
                {
                    e.Facility, e.Kind, e.Unit,
                    e.Year?.Amount, e.Year?.MonthsWithEffort, e.Year?.Finds, e.Year?.Grams, e.Year?.FindsPer1000, e.Year?.GramsPer1000,
                    e.Baseline?.Amount, e.Baseline?.MonthsWithEffort, e.Baseline?.Finds, e.Baseline?.Grams, e.Baseline?.FindsPer1000, e.Baseline?.GramsPer1000,
                })), (row, c) => row == 1 ? Header : Plain, table: true);
            if (r.Change is { } d)
            {
                var p = r.Purity;
                AddSheet(T(ChangeSheet),
                [
                    [T("measure"), T("unit"), T("value")],
                    [T("change"), T("g"), d.ChangeGrams],
                    [T("from the number of seizures"), T("g"), d.FromNumber],
                    [T("from their size"), T("g"), d.FromSize],
                    [$"{T("seizures with mass")} {r.Year}", T("count"), d.YearSeizures],
                    [$"{T("seizures with mass")} {r.Baseline}", T("count"), d.BaselineSeizures],
                    [$"{T("mean seizure")} {r.Year}", T("g"), d.YearMeanGrams],
                    [$"{T("mean seizure")} {r.Baseline}", T("g"), d.BaselineMeanGrams],
                    [T("from the largest 1 %"), T("g"), d.FromTopOnePercent],
                    [$"{T("largest seizure")} {r.Year}", T("g"), d.LargestYearGrams],
                    [$"{T("largest seizure")} {r.Baseline}", T("g"), d.LargestBaselineGrams],
                    [T("bootstrap 95 % interval, lower"), T("g"), d.BootstrapLower],
                    [T("bootstrap 95 % interval, upper"), T("g"), d.BootstrapUpper],
                    [$"{T("share of grams with lab purity")} {r.Year}", "%", p?.YearCoveredPercent],
                    [$"{T("share of grams with lab purity")} {r.Baseline}", "%", p?.BaselineCoveredPercent],
                    [$"{T("pure substance")} {r.Year}", T("g"), p?.YearPureGrams],
                    [$"{T("pure substance")} {r.Baseline}", T("g"), p?.BaselinePureGrams],
                    [],
                    [r.ChangeParagraph],
                ], (row, c) => row == 1 ? Header : c == 2 && row is not 5 and not 6 and not 14 and not 15 ? Grams : Plain, table: false);
            }
            if (r.National is { } national)
            {
                var source = national.Source;
                AddSheet(T(NationalSheet), new object?[][]
                {
                    [T("Beside the national figures"), national.CountryName],
                    [T("country"), national.Country],
                    [T("source"), source?.Citation ?? national.Note],
                    [T("edition"), source?.Edition],
                    [T("file sha256"), source?.FileSha256],
                    [T("imported"), source?.ImportedAt.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)],
                    [],
                    AnnualReportCsv.NationalHeader.Cast<object?>().ToArray(),
                }.Concat(national.Rows.Select(row => new object?[]
                {
                    row.Year, row.Group, row.GroupName, row.OwnGrams, row.NationalKg, row.SharePercent, string.Join("; ", row.Comments), row.Statement,
                })), (row, c) => row == 1 ? Title : row == 8 ? Header : row > 8 && c == 3 ? Grams : Plain, table: false);
            }
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static Cell? Cell(object? value, string reference) => value switch
    {
        null => null,
        // text a spreadsheet would run as a formula once edited (a UNODC caveat "=cmd|…") is neutralised, as in the CSV
        string s => new Cell(new InlineString(new Text(Pipeline.SafeCells.Neutralise(s)!) { Space = SpaceProcessingModeValues.Preserve }))
            { CellReference = reference, DataType = CellValues.InlineString },
        int i => Number(i.ToString(CultureInfo.InvariantCulture), reference),
        long l => Number(l.ToString(CultureInfo.InvariantCulture), reference),
        decimal d => Number(AnnualReportCsv.Num(d), reference),
        _ => throw new ArgumentException($"no cell for {value.GetType()}"),
    };

    private static Cell Number(string text, string reference) => new(new CellValue(text)) { CellReference = reference, DataType = CellValues.Number };

    private static string Column(int index) => index < 26 ? ((char)('A' + index)).ToString() : "A" + (char)('A' + index - 26);
}
