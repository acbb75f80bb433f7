using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Imports;

public static class GetImportTemplateEndpoint
{
    /// <summary>An example row of the template (a real-shaped seizure at SIZO-1).</summary>
    public static readonly string[] Example =
        ["SIZO1-2015-0042", "SIZO-1", "2015-03-14T10:30:00+06:00", "cannabis-resin", "12.5", "g", "visitor-search", "", "", "", "", "", "", "in a parcel"];

    /// <summary>
    /// The import template: the columns (reference, facility, occurred_at, substance, quantity, unit, detection, place,
    /// entry, concealment, possession, lat, lon, notes) and an example row, as CSV (UTF-8 with BOM, comma-separated) or
    /// XLSX (with a second sheet describing each column); lang=ru gives the Russian headers, which import the same.
    /// </summary>
    [WolverineGet("/api/imports/template", OperationId = "getImportTemplate")]
    public static IResult Get(string? format, string? lang)
    {
        var ru = lang?.StartsWith("ru", StringComparison.OrdinalIgnoreCase) == true;
        var headers = ImportColumns.All.Select(c => ru ? c.Ru : c.Name).ToArray();
        switch (format?.ToLowerInvariant() ?? "csv")
        {
            case "csv":
                var csv = string.Join(",", headers.Select(SafeCells.Csv)) + "\n" + string.Join(",", Example.Select(SafeCells.Csv)) + "\n";
                return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), "text/csv; charset=utf-8", "seizure-import-template.csv");
            case "xlsx":
                return TypedResults.File(Xlsx(headers), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "seizure-import-template.xlsx");
            default:
                return TypedResults.Problem(Problems.Invalid("format", "must be csv or xlsx", "Bad template parameters"));
        }
    }

    private static byte[] Xlsx(string[] headers)
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var sheets = workbook.Workbook.AppendChild(new Sheets());
            AddSheet(workbook, sheets, 1, "seizures", [headers, Example]);
            AddSheet(workbook, sheets, 2, "columns", [["column", "ru", "what"], .. ImportColumns.All.Select(c => new[] { c.Name, c.Ru, c.Help })]);
        }
        return memory.ToArray();
    }

    private static void AddSheet(WorkbookPart workbook, Sheets sheets, uint id, string name, IEnumerable<string[]> rows)
    {
        var part = workbook.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        foreach (var row in rows)
            data.Append(new Row(row.Select(text => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(SafeCells.Neutralise(text) ?? "")) })));
        part.Worksheet = new Worksheet(data);
        sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id, Name = name });
    }
}
