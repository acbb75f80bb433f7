using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// The report as an XLSX workbook (Open XML SDK): a sheet "Summary" (headline, provenance, totals), one sheet per
/// table with the same columns as the CSV, and "Joint operations". Numbers are numeric cells (grams exact), text is
/// inline strings; no formulas, so every reader (Excel, LibreOffice) shows the same values.
/// </summary>
public static class AnnualReportXlsx
{
    public const string SummarySheet = "Summary";
    public const string JointOperationsSheet = "Joint operations";

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

    public static readonly string[] RowHeader =
    [
        "key", "name",
        "year seizures (count)", "year mass (g)", "year lab-confirmed mass (g)", "year without mass (count)",
        "baseline seizures (count)", "baseline mass (g)", "baseline lab-confirmed mass (g)", "baseline without mass (count)",
        "change of mass (%)",
    ];

    public static byte[] Render(AnnualReport r)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            uint id = 1;

            void AddSheet(string name, IEnumerable<object?[]> rows)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                uint index = 1;
                foreach (var values in rows)
                {
                    var row = new Row { RowIndex = index };
                    for (var c = 0; c < values.Length; c++)
                        if (Cell(values[c], Column(c) + index) is { } cell) row.Append(cell);
                    data.Append(row);
                    index++;
                }
                part.Worksheet = new Worksheet(new Columns(new Column { Min = 1, Max = 2, Width = 36, CustomWidth = true },
                    new Column { Min = 3, Max = 11, Width = 18, CustomWidth = true }), data);
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id++, Name = name });
            }

            var (y, b) = (r.JointOperations.Year, r.JointOperations.Baseline);
            AddSheet(SummarySheet,
            [
                ["Annual comparison report", $"{r.Year} vs {r.Baseline}"],
                ["headline", r.Headline],
                [],
                ["year", r.Year],
                ["baseline", r.Baseline],
                ["agency", r.Agency ?? "all"],
                ["as of (UTC)", r.Provenance.AsOf is { } asOf ? AnnualReportCsv.Instant(asOf) : "now"],
                ["event-store high-water mark", r.Provenance.HighWaterMark],
                ["high-water mark source", r.Provenance.HighWaterMarkSource],
                ["conversion table version", r.Provenance.ConversionTableVersion],
                ["node", r.Provenance.Node],
                ["generated at (UTC)", AnnualReportCsv.Instant(r.Provenance.GeneratedAt)],
                [],
                ["measure", "unit", r.Year, r.Baseline, "change (%)"],
                ["seizures", "count", r.YearTotal.Count, r.BaselineTotal.Count],
                ["mass", "g", r.YearTotal.Grams, r.BaselineTotal.Grams, r.ChangePercent],
                ["lab-confirmed mass", "g", r.YearTotal.LabConfirmedGrams, r.BaselineTotal.LabConfirmedGrams],
                ["lab-confirmed share", "%", r.YearTotal.LabConfirmedPercent, r.BaselineTotal.LabConfirmedPercent],
                ["without mass", "count", r.YearTotal.WithoutMass, r.BaselineTotal.WithoutMass],
            ]);
            foreach (var table in r.Tables)
                AddSheet(SheetName(table), new[] { RowHeader.Cast<object?>().ToArray() }.Concat(table.Rows.Select(row => new object?[]
                {
                    row.Key, row.Name,
                    row.Year.Count, row.Year.Grams, row.Year.LabConfirmedGrams, row.Year.WithoutMass,
                    row.Baseline.Count, row.Baseline.Grams, row.Baseline.LabConfirmedGrams, row.Baseline.WithoutMass,
                    row.ChangePercent,
                })));
            AddSheet(JointOperationsSheet,
            [
                ["measure", "unit", r.Year, r.Baseline],
                ["operations", "count", y.Count, b.Count],
                ["seizures", "count", y.Seizures, b.Seizures],
                ["mass", "g", y.Grams, b.Grams],
                ["arrests", "count", y.Arrests, b.Arrests],
                ["criminal cases", "count", y.Cases, b.Cases],
            ]);
            workbook.Workbook.Save();
        }
        return stream.ToArray();
    }

    private static Cell? Cell(object? value, string reference) => value switch
    {
        null => null,
        string s => new Cell(new InlineString(new Text(s) { Space = SpaceProcessingModeValues.Preserve }))
            { CellReference = reference, DataType = CellValues.InlineString },
        int i => Number(i.ToString(CultureInfo.InvariantCulture), reference),
        long l => Number(l.ToString(CultureInfo.InvariantCulture), reference),
        decimal d => Number(AnnualReportCsv.Num(d), reference),
        _ => throw new ArgumentException($"no cell for {value.GetType()}"),
    };

    private static Cell Number(string text, string reference) => new(new CellValue(text)) { CellReference = reference, DataType = CellValues.Number };

    private static string Column(int index) => index < 26 ? ((char)('A' + index)).ToString() : "A" + (char)('A' + index - 26);
}
