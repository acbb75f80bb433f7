using System.Globalization;

namespace SeizureIntel.Pipeline;

/// <summary>
/// Formula injection: a cell that starts with = + - @ (or a tab or carriage return) is run as a formula by spreadsheet
/// programs (e.g. =cmd|' /C calc'!A0); a plain number such as -12.5 is left alone. Every text this node exports to CSV or XLSX from what people typed goes through
/// <see cref="Neutralise"/>, which prefixes such a cell with an apostrophe so it shows as the text it is.
/// </summary>
public static class SafeCells
{
    public static bool IsDangerous(string? text) =>
        text is { Length: > 0 } && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' &&
        !decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _); // -12.5 is a number

    public static string? Neutralise(string? text) => IsDangerous(text) ? "'" + text : text;

    /// <summary>A CSV field: neutralised, and quoted when it holds a comma, a quote or a line break.</summary>
    public static string Csv(string? text)
    {
        var safe = Neutralise(text) ?? "";
        return safe.IndexOfAny([',', '"', '\n', '\r', ';']) >= 0 ? "\"" + safe.Replace("\"", "\"\"") + "\"" : safe;
    }
}
