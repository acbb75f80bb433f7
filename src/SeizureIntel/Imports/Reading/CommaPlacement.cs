namespace SeizureIntel.Imports.Reading;

/// <summary>What a column may hold when the fields of a too-long comma-separated line are placed in it.</summary>
public enum CellShape
{
    /// <summary>One field, judged only by the reader's own check.</summary>
    Any,

    /// <summary>A number: may take two unquoted fields of digits ("2031","15" → 2031,15), a decimal comma that split it.</summary>
    Number,

    /// <summary>Free text: may take several unquoted fields (commas in text), none of them empty or digits alone.</summary>
    Text,
}

/// <summary>
/// The one rule both readers (seizures, UNODC's national table) use for a comma-separated file saved in a decimal-comma
/// locale, where numbers like 2031,15 stand unquoted and text may hold unquoted commas:
/// <list type="bullet">
/// <item>empty trailing header cells (",,," that spreadsheets append) are no columns, so a line's extra fields cannot hide in them;</item>
/// <item>a line with more fields than the header is placed in every way the shapes allow — a number column may take two
/// unquoted fields of digits, a text column several unquoted fields none of which is empty or digits alone (digits belong
/// to a number), and any number of empty trailing fields may be the line's empty last cells — and only a line with
/// exactly one placement whose every cell fits is read; with none or several it is refused, never guessed.</item>
/// </list>
/// Pure; at most two placements are looked for.
/// </summary>
public static class CommaPlacement
{
    /// <summary>How many header cells name columns: the header without its empty trailing cells.</summary>
    public static int NamedWidth(IReadOnlyList<string> header)
    {
        var named = header.Count;
        while (named > 0 && header[named - 1].Trim().Length == 0) named--;
        return named;
    }

    /// <summary>
    /// The placements of a line's fields in <paramref name="width"/> columns (distinct, at most two): shape gives each
    /// column's <see cref="CellShape"/>, fits judges a non-empty cell of a column (after its shape is met).
    /// </summary>
    public static List<string[]> Find(IReadOnlyList<string> fields, IReadOnlyList<bool> quoted, int width, Func<int, CellShape> shape,
        Func<int, string, bool> fits)
    {
        var placements = new List<string[]>();
        // drop: how many empty trailing fields are taken for the spreadsheet's empty trailing cells (the line's last
        // cell may itself be empty: "…,2031,15,," is 2031,15 with empty notes)
        for (var drop = 0; fields.Count - drop >= width && (drop == 0 || fields[^drop].Trim().Length == 0) && placements.Count < 2; drop++)
            foreach (var p in Recover(fields, quoted, fields.Count - drop, width, shape, fits))
                if (!placements.Any(q => q.SequenceEqual(p))) placements.Add(p);
        return placements;
    }

    /// <summary>A cell's shape is met: an empty cell always; a number that reads as one; text that is not digits alone.</summary>
    public static bool Shaped(CellShape shape, string text)
    {
        var t = text.Trim();
        return t.Length == 0 || shape switch
        {
            CellShape.Number => CellText.Number(t).Value is not null,
            CellShape.Text => !IsDigits(t),
            _ => true,
        };
    }

    private static List<string[]> Recover(IReadOnlyList<string> fields, IReadOnlyList<bool> quoted, int count, int width, Func<int, CellShape> shape,
        Func<int, string, bool> fits)
    {
        var found = new List<string[]>();
        var cells = new string[width];
        Place(0, 0);
        return found;

        bool Fits(int column, string text) => Shaped(shape(column), text) && (text.Trim().Length == 0 || fits(column, text));

        void Place(int column, int field)
        {
            if (found.Count > 1) return;
            if (column == width)
            {
                if (field == count) found.Add((string[])cells.Clone());
                return;
            }
            var remainingColumns = width - column;
            var remainingFields = count - field;
            if (remainingFields < remainingColumns) return;
            if (Fits(column, fields[field]))
            {
                cells[column] = fields[field];
                Place(column + 1, field + 1);
            }
            var kind = shape(column);
            if (kind == CellShape.Number && field + 1 < count && !quoted[field] && !quoted[field + 1] &&
                IsDigits(fields[field].Trim().TrimStart('-')) && IsDigits(fields[field + 1].Trim()))
            {
                var joined = fields[field].Trim() + "," + fields[field + 1].Trim();
                if (Fits(column, joined))
                {
                    cells[column] = joined;
                    Place(column + 1, field + 2);
                }
            }
            if (kind == CellShape.Text && !quoted[field])
            {
                for (var take = 2; take <= remainingFields - (remainingColumns - 1); take++)
                {
                    if (quoted[field + take - 1]) break;
                    var pieces = Enumerable.Range(field, take).Select(i => fields[i]).ToList();
                    if (pieces.Any(p => p.Trim().Length == 0 || IsDigits(p.Trim()))) break;
                    var text = string.Join(",", pieces);
                    if (!fits(column, text)) continue;
                    cells[column] = text;
                    Place(column + 1, field + take);
                }
            }
        }
    }

    private static bool IsDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);
}
