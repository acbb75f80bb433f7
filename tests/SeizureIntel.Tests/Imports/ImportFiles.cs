using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using SeizureIntel.Imports.Reading;

namespace SeizureIntel.Tests.Imports;

/// <summary>Files as agencies really send them, made here: encodings, delimiters, XLSX, and reading them back.</summary>
public static class ImportFiles
{
    static ImportFiles() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static byte[] Utf8(string text, bool bom = false) =>
        bom ? [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)] : Encoding.UTF8.GetBytes(text);

    public static byte[] Cp1251(string text) => Encoding.GetEncoding(1251).GetBytes(text);

    /// <summary>An XLSX workbook whose first sheet holds these rows: strings as shared strings, numbers (double) as numbers.</summary>
    public static byte[] Xlsx(params object?[][] rows)
    {
        using var memory = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(memory, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var strings = workbook.AddNewPart<SharedStringTablePart>();
            strings.SharedStringTable = new SharedStringTable();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            var index = new Dictionary<string, int>();
            for (var r = 0; r < rows.Length; r++)
            {
                var row = new Row { RowIndex = (uint)(r + 1) };
                for (var c = 0; c < rows[r].Length; c++)
                {
                    var reference = $"{(char)('A' + c)}{r + 1}";
                    switch (rows[r][c])
                    {
                        case null: continue;
                        case double or int or decimal:
                            row.Append(new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToString(rows[r][c], System.Globalization.CultureInfo.InvariantCulture)!) });
                            break;
                        default:
                            var text = rows[r][c]!.ToString()!;
                            if (!index.TryGetValue(text, out var i))
                            {
                                i = index[text] = index.Count;
                                strings.SharedStringTable.Append(new SharedStringItem(new Text(text)));
                            }
                            row.Append(new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(i.ToString()) });
                            break;
                    }
                }
                data.Append(row);
            }
            sheet.Worksheet = new Worksheet(data);
            workbook.Workbook.AppendChild(new Sheets(new Sheet { Id = workbook.GetIdOfPart(sheet), SheetId = 1, Name = "seizures" }));
        }
        return memory.ToArray();
    }

    public sealed record Read(ImportReader? Reader, ImportRefusal? FileRefusal, List<RowReading> Rows, FileFacts Facts)
    {
        public List<SeizureRow> Good => Rows.Where(r => r.Row is not null).Select(r => r.Row!).ToList();
        public List<ImportRefusal> Refused => Rows.SelectMany(r => r.Refusals).ToList();
    }

    public static Read ReadAll(byte[] bytes, ImportMapping? mapping = null, Func<string, string, bool>? plausible = null)
    {
        using var stream = new MemoryStream(bytes);
        var facts = TextDetection.ScanAsync(stream).GetAwaiter().GetResult();
        stream.Position = 0;
        var (reader, refusal) = ImportReader.Open(stream, facts, mapping, plausible);
        return new Read(reader, refusal, reader?.Rows().ToList() ?? [], facts);
    }
}
