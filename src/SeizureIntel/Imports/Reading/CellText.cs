using System.Globalization;
using System.Text.RegularExpressions;

namespace SeizureIntel.Imports.Reading;

/// <summary>When a seizure happened as a file states it: an instant, a local date and time, or a local date alone.</summary>
public sealed record StatedTime(DateTimeOffset? Instant, DateTime? Local, bool DateOnly)
{
    /// <summary>The instant, reading a local time in the given zone (a date alone: its midnight there).</summary>
    public DateTimeOffset In(TimeZoneInfo zone)
    {
        if (Instant is { } instant) return instant;
        var local = DateTime.SpecifyKind(Local!.Value, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}

/// <summary>
/// Numbers and dates as spreadsheets write them, read without guessing: a reading that could mean two things is
/// refused with the reason, never picked.
/// </summary>
public static partial class CellText
{
    /// <summary>
    /// A number with a decimal point or comma and thousands grouped by spaces (also no-break and thin spaces),
    /// apostrophes, or the other separator ("1 250,5", "1,250.5", "1.250,5"). decimalSeparator: ',' or '.' when the
    /// file's locale is known, null to let the number's shape decide ("1,250" alone is then ambiguous and refused,
    /// unless commaLocale: a ';'- or tab-separated file, which is what a decimal-comma Excel writes).
    /// </summary>
    public static (decimal? Value, string? Why) Number(string? text, char? decimalSeparator = null, bool commaLocale = false)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        var t = text.Trim();
        var negative = t.StartsWith('-') || t.StartsWith('\u2212');
        if (negative || t.StartsWith('+')) t = t[1..].TrimStart();
        // thousands by spaces or apostrophes: only between groups of three digits
        if (SpacedGroups().IsMatch(t)) t = SpaceLike().Replace(t, "");
        if (t.Length == 0 || !PlainShape().IsMatch(t)) return (null, $"'{text.Trim()}' is not a number");
        var commas = t.Count(c => c == ',');
        var dots = t.Count(c => c == '.');
        char? dec;
        if (commas > 0 && dots > 0)
        {
            dec = t.LastIndexOf(',') > t.LastIndexOf('.') ? ',' : '.';
            var thousands = dec == ',' ? '.' : ',';
            if (t.Count(c => c == dec) > 1 || !Grouped(t[..t.LastIndexOf(dec.Value)], thousands))
                return (null, $"'{text.Trim()}' mixes separators in no known way");
        }
        else if (commas + dots == 0) dec = null;
        else
        {
            var sep = commas > 0 ? ',' : '.';
            var count = commas + dots;
            var after = t.Length - t.LastIndexOf(sep) - 1;
            if (count > 1)
            {
                if (!Grouped(t, sep)) return (null, $"'{text.Trim()}' is not a number");
                dec = null; // 1.250.000 or 1,250,000: thousands
                if (decimalSeparator == sep) return (null, $"'{text.Trim()}' has several decimal separators");
            }
            else if (decimalSeparator is { } known) dec = known == sep ? sep : (Grouped(t, sep) ? null : (char?)'!');
            else if (after == 3 && sep == ',' && t.IndexOf(',') is > 0 and <= 3 && !commaLocale)
                return (null, $"'{text.Trim()}' could be {t.Replace(',', '.')} or {t.Replace(",", "")}: write the decimal separator unambiguously (or set \"decimal\" in the mapping file)");
            else dec = sep;
            if (dec == '!') return (null, $"'{text.Trim()}' is not a number with the decimal separator '{decimalSeparator}'");
        }
        var invariant = t;
        if (dec is null) invariant = t.Replace(",", "").Replace(".", "");
        else
        {
            var thousands = dec == ',' ? '.' : ',';
            invariant = t.Replace(thousands.ToString(), "").Replace(dec.Value, '.');
        }
        if (!decimal.TryParse(invariant, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return (null, $"'{text.Trim()}' is not a number");
        return (negative ? -value : value, null);
    }

    /// <summary>Digits grouped by threes with that separator: 1,250,000 (and what follows a decimal separator is not looked at).</summary>
    private static bool Grouped(string text, char separator)
    {
        var parts = text.Split(separator);
        return parts[0].Length is >= 1 and <= 3 && parts.Skip(1).All(p => p.Length == 3);
    }

    [GeneratedRegex(@"^\d{1,3}([ \u00A0\u202F\u2009'’]\d{3})+([.,]\d+)?$")] private static partial Regex SpacedGroups();
    [GeneratedRegex(@"[ \u00A0\u202F\u2009'’]")] private static partial Regex SpaceLike();
    [GeneratedRegex(@"^(\d+([.,]\d+)*|[.,]\d+)$")] private static partial Regex PlainShape();

    /// <summary>Excel's day zero (1899-12-30, which absorbs its 1900 leap-year bug for dates after February 1900).</summary>
    private static readonly DateTime ExcelEpoch = new(1899, 12, 30);

    private static readonly string[] LocalFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy HH:mm", "d.M.yyyy H:mm:ss", "d.M.yyyy H:mm",
    ];

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd.MM.yyyy", "d.M.yyyy", "dd.MM.yyyy'г.'", "dd.MM.yyyy' г.'"];

    /// <summary>
    /// An instant with its offset (ISO 8601), a local date and time (ISO, dd.MM.yyyy HH:mm), a date alone
    /// (yyyy-MM-dd, dd.MM.yyyy), an Excel serial number (days since 1899-12-30; a fraction is the time of day), or
    /// one of the mapping's formats. Slashed dates are refused unless the mapping names their order (03/04/2015 is
    /// March or April depending on who typed it).
    /// </summary>
    public static (StatedTime? Time, string? Why) Time(string? text, IReadOnlyList<string>? extraFormats = null)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        var t = text.Trim();
        foreach (var format in extraFormats ?? [])
        {
            if (DateTimeOffset.TryParseExact(t, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) &&
                (format.Contains('z') || format.Contains('K')))
                return (new StatedTime(withOffset, null, false), null);
            if (DateTime.TryParseExact(t, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                return (new StatedTime(null, local, !format.Contains('H') && !format.Contains('h')), null);
        }
        if (Seizures.SeizureFields.TryParseInstant(t, out var instant)) return (new StatedTime(instant, null, false), null);
        if (DateTime.TryParseExact(t, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var localTime))
            return (new StatedTime(null, localTime, false), null);
        if (DateTime.TryParseExact(t, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return (new StatedTime(null, date.Date, true), null);
        if (ExcelSerial().IsMatch(t) && double.TryParse(t.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var serial))
        {
            if (serial is < 61 or > 2958465) return (null, $"'{t}' read as an Excel serial date lies outside 1900-03-01…9999-12-31");
            var day = ExcelEpoch.AddDays(Math.Floor(serial));
            var fraction = serial - Math.Floor(serial);
            return fraction == 0
                ? (new StatedTime(null, day, true), null)
                : (new StatedTime(null, day.AddSeconds(Math.Round(fraction * 86400)), false), null);
        }
        if (t.Contains('/'))
            return (null, $"'{t}' is ambiguous (day/month or month/day): write dd.MM.yyyy or yyyy-MM-dd, or name the format in the mapping file");
        return (null, $"'{t}' is not a date: write 2015-03-14T10:30:00+06:00, 14.03.2015 10:30, 2015-03-14 or 14.03.2015");
    }

    [GeneratedRegex(@"^\d{2,7}([.,]\d+)?$")] private static partial Regex ExcelSerial();
}
