using System.Text;

namespace SeizureIntel.Imports.Reading;

/// <summary>Why a line (or a cell of it) was not imported. Line 1 is the header; Column is the template's name.</summary>
public sealed record ImportRefusal(int Line, string? Column, string? Value, string Why);

/// <summary>A row read from a file: the line it starts on and its cells by template column (trimmed, aliases applied).</summary>
public sealed record SeizureRow(int Line, IReadOnlyDictionary<string, string?> Cells)
{
    public string? this[string column] => Cells.TryGetValue(column, out var value) ? value : null;
}

/// <summary>One record's reading: its row, or why it was refused.</summary>
public sealed record RowReading(int Line, SeizureRow? Row, IReadOnlyList<ImportRefusal> Refusals);

/// <summary>
/// Reads a seizure file (CSV in any of its damaged forms, or XLSX) into rows of template columns, streaming. Pure:
/// the only outside knowledge is an optional plausibility check of a cell (used to place a decimal comma or an
/// unquoted comma in a comma-separated file only where exactly one placement reads as valid data).
/// </summary>
public sealed class ImportReader
{
    private readonly IEnumerator<RawRecord> _records;
    private readonly string?[] _columns; // field index → template column (null: ignored)
    private readonly ImportMapping _mapping;
    private readonly Func<string, string, bool> _plausible;
    private readonly IDisposable? _owned;

    public char Delimiter { get; }
    public Encoding? Encoding { get; }
    public bool Xlsx { get; }
    /// <summary>Headers in the file that name no template column (ignored).</summary>
    public IReadOnlyList<string> IgnoredHeaders { get; }

    private ImportReader(IEnumerator<RawRecord> records, string?[] columns, ImportMapping mapping, Func<string, string, bool>? plausible,
        char delimiter, Encoding? encoding, bool xlsx, IReadOnlyList<string> ignored, IDisposable? owned)
    {
        _records = records;
        _columns = columns;
        _mapping = mapping;
        _plausible = plausible ?? ((_, _) => true);
        Delimiter = delimiter;
        Encoding = encoding;
        Xlsx = xlsx;
        IgnoredHeaders = ignored;
        _owned = owned;
    }

    /// <summary>
    /// Opens a file that <see cref="TextDetection.ScanAsync"/> has described (the stream positioned at its start) and reads its
    /// header; a header that lacks a required column refuses the whole file (line 1).
    /// </summary>
    public static (ImportReader? Reader, ImportRefusal? Refusal) Open(Stream stream, FileFacts facts, ImportMapping? mapping = null,
        Func<string, string, bool>? plausible = null)
    {
        mapping ??= ImportMapping.None;
        IEnumerable<RawRecord> records;
        char delimiter = ',';
        Encoding? encoding = null;
        IDisposable? owned = null;
        if (facts.Xlsx)
        {
            records = XlsxRecords.Read(stream);
        }
        else
        {
            encoding = mapping.Encoding is { } named ? TextDetection.EncodingNamed(named)! : facts.Encoding;
            var text = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
            owned = text;
            var headerLine = PeekHeaderLine(text);
            delimiter = mapping.Delimiter is { } d ? d[0] : TextDetection.Delimiter(headerLine);
            records = new DelimitedReader(new StringPrefixReader(headerLine, text), delimiter).Records();
        }
        IEnumerator<RawRecord> enumerator;
        try
        {
            enumerator = records.GetEnumerator();
            if (!enumerator.MoveNext()) return (null, new ImportRefusal(1, null, null, "the file is empty: the first line must name the columns"));
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            owned?.Dispose();
            return (null, new ImportRefusal(1, null, null, facts.Xlsx ? $"the file cannot be read as XLSX: {e.Message}" : $"the file cannot be read: {e.Message}"));
        }

        var header = enumerator.Current;
        // empty trailing header cells are no columns: a line's split decimals must not hide in them (CommaPlacement)
        var columns = new string?[CommaPlacement.NamedWidth(header.Fields)];
        var ignored = new List<string>();
        var byHeader = mapping.Columns.ToDictionary(c => ImportColumns.Normalise(c.Value), c => c.Key);
        for (var i = 0; i < columns.Length; i++)
        {
            var name = header.Fields[i].Trim();
            if (name.Length == 0) continue;
            var column = byHeader.TryGetValue(ImportColumns.Normalise(name), out var mapped) ? mapped : ImportColumns.Match(name);
            if (column is null || columns.Contains(column)) ignored.Add(name);
            else columns[i] = column;
        }
        string[] required = [ImportColumns.OccurredAt, ImportColumns.Substance, ImportColumns.Quantity, ImportColumns.Unit, ImportColumns.Detection];
        var missing = required.Where(r => !columns.Contains(r) && !mapping.Defaults.ContainsKey(r)).ToList();
        if (!columns.Contains(ImportColumns.Facility) && !columns.Contains(ImportColumns.Lat) && !mapping.Defaults.ContainsKey(ImportColumns.Facility))
            missing.Insert(0, ImportColumns.Facility);
        if (missing.Count > 0)
            return (null, new ImportRefusal(header.Line, missing[0], null,
                $"the header lacks the column(s) {string.Join(", ", missing)} (found: {string.Join(", ", header.Fields.Where(f => f.Trim().Length > 0))}); " +
                "see GET /api/imports/template, or name them in a mapping file"));
        return (new ImportReader(enumerator, columns, mapping, plausible, delimiter, encoding, facts.Xlsx, ignored, owned), null);
    }

    /// <summary>The first line of the text (without its line break), to find the delimiter; the reader keeps it for re-reading.</summary>
    private static string PeekHeaderLine(StreamReader text)
    {
        var line = new StringBuilder();
        var quoted = false;
        int next;
        while ((next = text.Read()) >= 0)
        {
            var ch = (char)next;
            line.Append(ch);
            if (ch == '"') quoted = !quoted;
            if (!quoted && ch == '\n') break;
        }
        return line.ToString();
    }

    /// <summary>The rows after the header, one at a time.</summary>
    public IEnumerable<RowReading> Rows()
    {
        try
        {
            while (true)
            {
                RawRecord record;
                try
                {
                    if (!_records.MoveNext()) yield break;
                    record = _records.Current;
                }
                catch (DecoderFallbackException e)
                {
                    throw new InvalidDataException($"the file is not valid {Encoding?.WebName}: {e.Message}", e);
                }
                yield return Read(record);
            }
        }
        finally
        {
            _records.Dispose();
            _owned?.Dispose();
        }
    }

    private RowReading Read(RawRecord record)
    {
        if (record.Broken is not null) return Refused(record.Line, null, null, record.Broken);
        var fields = record.Fields.ToList();
        var quoted = record.Quoted.ToList();
        IReadOnlyList<string> cells = fields;
        if (fields.Count > _columns.Length && Delimiter == ',' && !Xlsx)
        {
            // a decimal comma or a comma in notes, unquoted: read only when exactly one placement fits (CommaPlacement)
            var placements = CommaPlacement.Find(fields, quoted, _columns.Length,
                i => ImportColumns.Shape(_columns[i]),
                (i, text) => _columns[i] is not { } c || _plausible(c, _mapping.Alias(c, text.Trim())!));
            if (placements.Count == 1) cells = placements[0];
            else if (placements.Count == 0 && Direct(fields) is { } direct) cells = direct;
            else
                return Refused(record.Line, null, string.Join(",", fields).TrimEnd(','),
                    $"{fields.Count} fields where the header has {_columns.Length}: " + (placements.Count == 0
                        ? "no reading of decimal commas or commas in notes fits the columns; quote the fields that hold commas"
                        : "a decimal comma or a comma in notes can be placed in more than one way; quote the fields that hold commas"));
        }
        else
        {
            // empty trailing columns (";;;" that spreadsheets append) are not data
            while (fields.Count > _columns.Length && fields[^1].Trim().Length == 0) fields.RemoveAt(fields.Count - 1);
            if (fields.Count > _columns.Length)
                return Refused(record.Line, null, string.Join(Delimiter.ToString(), fields), $"{fields.Count} fields where the header has {_columns.Length}");
        }

        var row = new Dictionary<string, string?>();
        for (var i = 0; i < _columns.Length; i++)
        {
            if (_columns[i] is not { } column) continue;
            var text = i < cells.Count ? cells[i].Trim() : "";
            row[column] = _mapping.Alias(column, text.Length == 0 ? null : text);
        }
        foreach (var (column, value) in _mapping.Defaults)
            if (!row.TryGetValue(column, out var present) || present is null) row[column] = value;
        return new RowReading(record.Line, new SeizureRow(record.Line, row), []);
    }

    private static RowReading Refused(int line, string? column, string? value, string why) =>
        new(line, null, [new ImportRefusal(line, column, value, why)]);

    /// <summary>
    /// A comma line that no placement fits, read as it stands when only empty trailing fields are too many and every
    /// cell has its shape: the cell that fits no vocabulary is then named by the row checks ("herion" is not a substance)
    /// instead of the placement's refusal. Null when a split number or a comma could be in it (then it is refused).
    /// </summary>
    private List<string>? Direct(List<string> fields)
    {
        var cells = fields.ToList();
        while (cells.Count > _columns.Length && cells[^1].Trim().Length == 0) cells.RemoveAt(cells.Count - 1);
        if (cells.Count > _columns.Length) return null;
        for (var i = 0; i < cells.Count; i++)
            if (!CommaPlacement.Shaped(ImportColumns.Shape(_columns[i]), cells[i]))
                return null;
        return cells;
    }

    /// <summary>Reads a string first, then the rest of another reader: the header line peeked at, then the file.</summary>
    private sealed class StringPrefixReader(string prefix, TextReader rest) : TextReader
    {
        private int _position;

        public override int Peek() => _position < prefix.Length ? prefix[_position] : rest.Peek();

        public override int Read() => _position < prefix.Length ? prefix[_position++] : rest.Read();
    }
}
