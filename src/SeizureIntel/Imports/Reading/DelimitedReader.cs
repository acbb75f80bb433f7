using System.Text;

namespace SeizureIntel.Imports.Reading;

/// <summary>One record of a delimited file: the line it starts on (1 = the header), its fields, which were quoted.</summary>
public sealed record RawRecord(int Line, IReadOnlyList<string> Fields, IReadOnlyList<bool> Quoted, string? Broken = null);

/// <summary>
/// Reads records from delimited text one at a time (RFC 4180 and what spreadsheets really write): fields in double
/// quotes may hold the delimiter, line breaks and doubled quotes (""); CR LF, LF and CR end records; a quote inside
/// an unquoted field is kept as text; empty lines are skipped. Streams: never holds more than one record.
/// </summary>
public sealed class DelimitedReader(TextReader reader, char delimiter)
{
    /// <summary>A quoted field longer than this is taken for an unterminated quote, not for data.</summary>
    public const int MaxFieldLength = 1 << 20;

    private int _line = 1;

    public IEnumerable<RawRecord> Records()
    {
        var fields = new List<string>();
        var quoted = new List<bool>();
        var field = new StringBuilder();
        while (true)
        {
            var start = _line;
            fields.Clear();
            quoted.Clear();
            var (end, broken) = ReadRecord(fields, quoted, field);
            if (end && fields.Count == 0) yield break;
            if (broken is null && fields.Count == 1 && fields[0].Length == 0 && !quoted[0])
            {
                if (end) yield break;
                continue; // an empty line
            }
            yield return new RawRecord(start, fields.ToArray(), quoted.ToArray(), broken);
            if (end) yield break;
        }
    }

    /// <summary>Reads one record; true when the text ended with (or before) it.</summary>
    private (bool End, string? Broken) ReadRecord(List<string> fields, List<bool> quoted, StringBuilder field)
    {
        field.Clear();
        var inQuotes = false;
        var wasQuoted = false;
        var atFieldStart = true;
        var startLine = _line;
        while (true)
        {
            var next = reader.Read();
            if (next < 0)
            {
                if (fields.Count == 0 && field.Length == 0 && atFieldStart && !wasQuoted) return (true, null);
                fields.Add(field.ToString());
                quoted.Add(wasQuoted);
                return (true, inQuotes ? $"a quote opened on line {startLine} is never closed" : null);
            }
            var ch = (char)next;
            if (ch == '\uFEFF' && fields.Count == 0 && field.Length == 0 && startLine == 1) continue; // a byte order mark
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else inQuotes = false;
                }
                else
                {
                    if (ch == '\n' || (ch == '\r' && reader.Peek() != '\n')) _line++;
                    field.Append(ch);
                    if (field.Length > MaxFieldLength)
                    {
                        SkipLine();
                        fields.Add(field.ToString(0, 100));
                        quoted.Add(true);
                        return (reader.Peek() < 0, $"a quote opened on line {startLine} is not closed within {MaxFieldLength} characters");
                    }
                }
                continue;
            }
            if (ch == delimiter)
            {
                fields.Add(field.ToString());
                quoted.Add(wasQuoted);
                field.Clear();
                wasQuoted = false;
                atFieldStart = true;
                continue;
            }
            if (ch is '\r' or '\n')
            {
                if (ch == '\r' && reader.Peek() == '\n') reader.Read();
                _line++;
                fields.Add(field.ToString());
                quoted.Add(wasQuoted);
                return (reader.Peek() < 0, null);
            }
            if (ch == '"' && atFieldStart && field.Length == 0)
            {
                inQuotes = true;
                wasQuoted = true;
                atFieldStart = false;
                continue;
            }
            atFieldStart = false;
            field.Append(ch);
        }
    }

    private void SkipLine()
    {
        int next;
        while ((next = reader.Read()) >= 0 && next != '\n') { }
        _line++;
    }
}
