using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace SeizureIntel.Imports.Reading;

/// <summary>
/// The rows of an XLSX workbook's first sheet as records, read with the SAX reader (rows streamed, not loaded as a
/// DOM): shared and inline strings, numbers as written in the file (invariant, so dates arrive as Excel serial
/// numbers), booleans; gaps between cells are empty fields. Line = the sheet's row number.
/// </summary>
public static class XlsxRecords
{
    public static IEnumerable<RawRecord> Read(Stream stream)
    {
        using var document = SpreadsheetDocument.Open(stream, false);
        var workbook = document.WorkbookPart ?? throw new InvalidDataException("the workbook has no workbook part");
        var strings = workbook.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        var firstSheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault()?.Id?.Value;
        var part = firstSheet is null ? workbook.WorksheetParts.FirstOrDefault() : (WorksheetPart)workbook.GetPartById(firstSheet);
        if (part is null) yield break;

        using var reader = OpenXmlReader.Create(part);
        var fields = new List<string>();
        var line = 0;
        while (reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement) continue;
            var row = (Row)reader.LoadCurrentElement()!;
            line = (int?)row.RowIndex?.Value ?? line + 1;
            fields.Clear();
            foreach (var cell in row.Elements<Cell>())
            {
                var index = cell.CellReference?.Value is { } reference ? ColumnIndex(reference) : fields.Count;
                while (fields.Count < index) fields.Add("");
                fields.Add(Text(cell, strings));
            }
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            yield return new RawRecord(line, fields.ToArray(), fields.Select(_ => true).ToArray());
        }
    }

    private static string Text(Cell cell, List<string> strings)
    {
        var type = cell.DataType?.Value;
        if (type == CellValues.SharedString)
            return int.TryParse(cell.CellValue?.Text, out var i) && i >= 0 && i < strings.Count ? strings[i] : "";
        if (type == CellValues.InlineString) return cell.InlineString?.InnerText ?? "";
        if (type == CellValues.Boolean) return cell.CellValue?.Text == "1" ? "true" : "false";
        return cell.CellValue?.Text ?? "";
    }

    /// <summary>"C5" → 2.</summary>
    public static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var ch in reference)
        {
            if (!char.IsLetter(ch)) break;
            index = index * 26 + (char.ToUpperInvariant(ch) - 'A' + 1);
        }
        return index - 1;
    }
}
