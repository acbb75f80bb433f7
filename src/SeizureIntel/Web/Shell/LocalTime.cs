using System.Globalization;
using SeizureIntel.Calendar;

namespace SeizureIntel.Web.Shell;

/// <summary>Instants as people at the facilities read them: in Asia/Bishkek, in the user's language's format. Never bare UTC.</summary>
public static class LocalTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(LocalCalendar.CountryTimeZone);

    public static DateTime ToLocal(DateTimeOffset instant, string? timeZone = null) =>
        TimeZoneInfo.ConvertTime(instant, timeZone is null ? Zone : TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime;

    /// <summary>"14.03.2015 10:30" (ru) or "14/03/2015 10:30" (en), in the facility's zone.</summary>
    public static string Format(DateTimeOffset instant, string? timeZone = null) =>
        ToLocal(instant, timeZone).ToString("g", CultureInfo.CurrentCulture);

    public static string Date(DateOnly date) => date.ToString("d", CultureInfo.CurrentCulture);

    /// <summary>The local wall-clock time now, for a form's default (minutes only).</summary>
    public static DateTime Now(TimeProvider time)
    {
        var local = ToLocal(time.GetUtcNow());
        return new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0);
    }

    /// <summary>A wall-clock time at the facility as an ISO instant with its offset, as the API takes it.</summary>
    public static string ToInstant(DateTime local, string? timeZone = null)
    {
        var zone = timeZone is null ? Zone : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var offset = zone.GetUtcOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    /// <summary>The value of an &lt;input type="datetime-local"&gt; (or "date") for a local time.</summary>
    public static string Input(DateTime local, bool dateOnly = false) =>
        local.ToString(dateOnly ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    /// <summary>What a datetime-local or date input holds, read culture-independently; null when empty or unreadable.</summary>
    public static DateTime? Parse(string? input) =>
        DateTime.TryParseExact(input?.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
            DateTimeStyles.None, out var value) ? value : null;

    public static string Number(decimal value, int decimals = 0) => value.ToString($"N{decimals}", CultureInfo.CurrentCulture);

    /// <summary>Grams in the unit a person would say: "850 g", "1,25 kg".</summary>
    public static string Mass(decimal? grams, Text text) => grams switch
    {
        null => "—",
        >= 1000 => $"{Number(grams.Value / 1000m, 2)} {text["unit.kg"]}",
        _ => $"{Number(grams.Value, grams.Value % 1 == 0 ? 0 : 2)} {text["unit.g"]}",
    };
}
