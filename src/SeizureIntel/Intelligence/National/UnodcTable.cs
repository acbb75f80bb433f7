using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SeizureIntel.Imports.Reading;

namespace SeizureIntel.Intelligence.National;

/// <summary>One row of the UNODC table that passed every check; Group is the node's substance group it maps to.</summary>
public sealed record UnodcRow(
    int Line, string Region, string SubRegion, string Country, string CountryCode, int Year, string UnodcGroup, string Group, string Drug,
    string? SpecificDrugName, decimal Kg, string? Comment);

/// <summary>What reading a UNODC file gave: its rows, its refusals (line, column, value, why), and how it was read.</summary>
public sealed record UnodcReading(IReadOnlyList<UnodcRow> Rows, IReadOnlyList<ImportRefusal> Refusals, int RowsRead, string Format, char? Delimiter,
    string? Encoding);

/// <summary>
/// Reads UNODC's country-year drug seizure table (the data portal's export: Region, SubRegion, Country, CountryCode,
/// Year, DrugGroup, Drug, SpecificDrugName, KgEquivalent, Comment) with the seizure import's reading of damaged files:
/// encoding (UTF-8 with or without BOM, else Windows-1251) and delimiter (; tab ,) detected, quoted fields with doubled
/// quotes, empty trailing columns dropped, decimal commas and thousands separators in KgEquivalent (CellText.Number),
/// XLSX. A comma-separated line with extra fields (a decimal comma or commas in a text column, unquoted) is placed only
/// when exactly one placement reads as valid data; otherwise the line is refused. Pure: no database, no clock but
/// the latest year taken.
/// </summary>
public static partial class UnodcTable
{
    public const string Region = "Region", SubRegion = "SubRegion", Country = "Country", CountryCode = "CountryCode", Year = "Year",
        DrugGroup = "DrugGroup", Drug = "Drug", SpecificDrugName = "SpecificDrugName", KgEquivalent = "KgEquivalent", Comment = "Comment";

    /// <summary>The export's columns in its order, with other headers copies of it carry.</summary>
    public static readonly IReadOnlyList<(string Name, string[] Others)> Columns =
    [
        (Region, ["region"]), (SubRegion, ["sub region", "subregion"]), (Country, ["country name", "country/territory"]),
        (CountryCode, ["iso3", "iso3 code", "country code", "iso"]), (Year, ["yr"]), (DrugGroup, ["drug group"]), (Drug, ["drug name"]),
        (SpecificDrugName, ["specific drug name", "specific drug"]), (KgEquivalent, ["kg equivalent", "kg equivalents", "kg", "kgequivalents"]),
        (Comment, ["comments", "note", "notes"]),
    ];

    private static readonly string[] Required = [CountryCode, Year, DrugGroup, Drug, KgEquivalent];
    private static readonly HashSet<string> FreeText = [Region, SubRegion, Country, Drug, SpecificDrugName, Comment];

    /// <summary>The largest figure taken for one row (a million tonnes: far above any country's yearly seizures).</summary>
    public const decimal MaxKg = 1_000_000_000m;
    public const int MaxTextLength = 1000;

    private static readonly Dictionary<string, string> ByHeader = Columns
        .SelectMany(c => c.Others.Append(c.Name).Select(h => (Header: ImportColumns.Normalise(h), c.Name)))
        .DistinctBy(x => x.Header).ToDictionary(x => x.Header, x => x.Name);

    /// <summary>Reads the whole file (national tables are small: the world's is a few MiB); the stream at its start.</summary>
    public static UnodcReading Read(Stream stream, FileFacts facts, int latestYear)
    {
        IEnumerable<RawRecord> records;
        char? delimiter = null;
        if (facts.Xlsx) records = XlsxRecords.Read(stream);
        else
        {
            string text;
            try
            {
                using var reader = new StreamReader(stream, facts.Encoding, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                text = reader.ReadToEnd();
            }
            catch (DecoderFallbackException e)
            {
                return Failed($"the file is not valid {facts.Encoding.WebName}: {e.Message}", facts);
            }
            var end = text.IndexOf('\n');
            delimiter = TextDetection.Delimiter(end < 0 ? text : text[..end]);
            records = new DelimitedReader(new StringReader(text), delimiter.Value).Records();
        }

        var rows = new List<UnodcRow>();
        var refusals = new List<ImportRefusal>();
        var read = 0;
        string?[]? columns = null;
        IEnumerator<RawRecord> enumerator;
        try { enumerator = records.GetEnumerator(); }
        catch (Exception e) when (e is not OutOfMemoryException) { return Failed($"the file cannot be read: {e.Message}", facts); }
        using (enumerator)
        {
            while (true)
            {
                RawRecord record;
                try
                {
                    if (!enumerator.MoveNext()) break;
                    record = enumerator.Current;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    return Failed(facts.Xlsx ? $"the file cannot be read as XLSX: {e.Message}" : $"the file cannot be read: {e.Message}", facts);
                }
                if (columns is null)
                {
                    // empty trailing header cells (";;;" that spreadsheets append) are no columns: a data line's extra fields must not hide in them
                    columns = record.Fields.Take(CommaPlacement.NamedWidth(record.Fields)).Select(f => ByHeader.GetValueOrDefault(ImportColumns.Normalise(f))).ToArray();
                    for (var i = 0; i < columns.Length; i++) // a header named twice counts once
                        if (columns[i] is { } c && Array.IndexOf(columns, c) < i) columns[i] = null;
                    var missing = Required.Where(r => !columns.Contains(r)).ToList();
                    if (missing.Count > 0)
                        return Failed($"the header lacks the column(s) {string.Join(", ", missing)} (found: {string.Join(", ", record.Fields.Where(f => f.Trim().Length > 0))}); " +
                                      "the UNODC export has Region, SubRegion, Country, CountryCode, Year, DrugGroup, Drug, SpecificDrugName, KgEquivalent, Comment", facts, record.Line);
                    continue;
                }
                read++;
                var (row, why) = ReadRow(record, columns, delimiter, facts.Xlsx, latestYear);
                if (row is not null) rows.Add(row);
                else refusals.AddRange(why);
            }
        }
        if (columns is null) return Failed("the file is empty: the first line must name the columns", facts);
        return new UnodcReading(rows, refusals, read, facts.Xlsx ? "xlsx" : "csv", delimiter, facts.Xlsx ? null : facts.Encoding.WebName);
    }

    private static UnodcReading Failed(string why, FileFacts facts, int line = 1) =>
        new([], [new ImportRefusal(line, null, null, why)], 0, facts.Xlsx ? "xlsx" : "csv", null, null);

    private static (UnodcRow? Row, List<ImportRefusal> Refusals) ReadRow(RawRecord record, string?[] columns, char? delimiter, bool xlsx, int latestYear)
    {
        var line = record.Line;
        if (record.Broken is not null) return (null, [new ImportRefusal(line, null, null, record.Broken)]);
        var fields = record.Fields.ToList();
        var quoted = record.Quoted.ToList();
        IReadOnlyList<string> cells = fields;
        if (fields.Count > columns.Length && delimiter == ',')
        {
            // a comma file with extra fields: the seizure reader's rule (CommaPlacement), KgEquivalent the number, free text the text
            var placements = CommaPlacement.Find(fields, quoted, columns.Length,
                i => columns[i] == KgEquivalent ? CellShape.Number : columns[i] is { } c && FreeText.Contains(c) ? CellShape.Text : CellShape.Any,
                (i, text) => Fits(columns[i], text, latestYear));
            if (placements.Count != 1)
                return (null, [new ImportRefusal(line, null, string.Join(",", fields).TrimEnd(','), $"{fields.Count} fields where the header has {columns.Length}: " +
                    (placements.Count == 0
                        ? "no reading of a decimal comma or of commas in text fits the columns; quote the fields that hold commas"
                        : "a decimal comma or a comma in text can be placed in more than one way; quote the fields that hold commas"))]);
            cells = placements[0];
        }
        else
        {
            while (fields.Count > columns.Length && fields[^1].Trim().Length == 0) fields.RemoveAt(fields.Count - 1);
            if (fields.Count > columns.Length)
                return (null, [new ImportRefusal(line, null, string.Join(delimiter?.ToString() ?? ",", fields), $"{fields.Count} fields where the header has {columns.Length}")]);
        }
        var cell = new Dictionary<string, string?>();
        for (var i = 0; i < columns.Length; i++)
            if (columns[i] is { } c)
                cell[c] = i < cells.Count && cells[i].Trim().Length > 0 ? cells[i].Trim() : null;
        string? Cell(string c) => cell.GetValueOrDefault(c);

        var refusals = new List<ImportRefusal>();
        void Refuse(string column, string why) => refusals.Add(new ImportRefusal(line, column, Cell(column), why));

        var code = Cell(CountryCode);
        if (code is null) Refuse(CountryCode, "is required: the ISO 3166-1 alpha-3 code, e.g. KGZ");
        else if (!CountryCodeShape().IsMatch(code)) Refuse(CountryCode, $"'{code}' is not an ISO 3166-1 alpha-3 code (three letters, e.g. KGZ)");
        int year = 0;
        var yearText = Cell(Year);
        if (yearText is null) Refuse(Year, "is required");
        else if (!int.TryParse(yearText.EndsWith(".0") ? yearText[..^2] : yearText, NumberStyles.None, CultureInfo.InvariantCulture, out year) ||
                 year < 1980 || year > latestYear)
            Refuse(Year, $"'{yearText}' is not a year from 1980 to {latestYear}");
        var unodcGroup = Cell(DrugGroup);
        var group = UnodcGroups.Map(unodcGroup);
        if (unodcGroup is null) Refuse(DrugGroup, "is required");
        else if (group is null)
            Refuse(DrugGroup, $"the UNODC drug group '{unodcGroup}' is not mapped to a substance group of this node " +
                              $"(mapped: {string.Join(", ", UnodcGroups.Mapped.Keys)})");
        var drug = Cell(Drug);
        if (drug is null) Refuse(Drug, "is required");
        var kgText = Cell(KgEquivalent);
        decimal kg = 0;
        if (kgText is null) Refuse(KgEquivalent, "is empty: a row without a figure is not a figure");
        else
        {
            var (value, why) = CellText.Number(kgText, xlsx ? '.' : null, commaLocale: delimiter is ';' or '\t');
            if (why is not null) Refuse(KgEquivalent, why);
            else if (value < 0) Refuse(KgEquivalent, $"'{kgText}' is negative");
            else if (value > MaxKg) Refuse(KgEquivalent, $"'{kgText}' is above {MaxKg:N0} kg");
            else kg = value!.Value;
        }
        foreach (var c in new[] { Region, SubRegion, Country, Drug, SpecificDrugName, Comment })
            if (Cell(c) is { Length: > MaxTextLength }) Refuse(c, $"must be at most {MaxTextLength} characters");
        if (refusals.Count > 0) return (null, refusals);
        return (new UnodcRow(line, Cell(Region) ?? "", Cell(SubRegion) ?? "", Cell(Country) ?? code!, code!.ToUpperInvariant(), year, unodcGroup!.Trim(),
            group!, drug!, Cell(SpecificDrugName), kg, Cell(Comment)), refusals);
    }

    [GeneratedRegex("^[A-Za-z]{3}$")] private static partial Regex CountryCodeShape();
    [GeneratedRegex(@"^\d+$")] private static partial Regex Digits();

    private static bool Fits(string? column, string text, int latestYear)
    {
        var t = text.Trim();
        if (column is null) return true;
        if (t.Length == 0) return true;
        return column switch
        {
            CountryCode => CountryCodeShape().IsMatch(t),
            Year => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y >= 1980 && y <= latestYear,
            DrugGroup => !Digits().IsMatch(t),
            _ => true, // KgEquivalent and the free text: their shapes (CommaPlacement)
        };
    }
}
