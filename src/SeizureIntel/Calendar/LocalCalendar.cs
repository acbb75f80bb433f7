using System.Collections.Concurrent;

namespace SeizureIntel.Calendar;

/// <summary>
/// Local time, in one place. Instants are stored in UTC; a seizure or an operation counts in the year and month of its
/// local date in its facility's time zone (Kyrgyzstan keeps one: Asia/Bishkek, UTC+6, no daylight saving).
/// </summary>
public static class LocalCalendar
{
    /// <summary>The country's zone: for seizures outside any facility, joint operations and anything national.</summary>
    public const string CountryTimeZone = "Asia/Bishkek";

    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new();

    /// <summary>The zone of an IANA id (cached); throws TimeZoneNotFoundException for an unknown one.</summary>
    public static TimeZoneInfo Zone(string timeZone = CountryTimeZone) => Zones.GetOrAdd(timeZone, TimeZoneInfo.FindSystemTimeZoneById);

    /// <summary>Whether this machine knows the zone (partners' messages name theirs).</summary>
    public static bool IsKnownZone(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone)) return false;
        try { _ = Zone(timeZone); return true; }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return false; }
    }

    /// <summary>The local date of an instant in a zone (the country's by default).</summary>
    public static DateOnly LocalDate(DateTimeOffset instant, string timeZone = CountryTimeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone(timeZone)).DateTime);

    /// <summary>The instant in local time of the zone: what a user in that zone reads on a clock.</summary>
    public static DateTimeOffset ToLocal(DateTimeOffset instant, string timeZone = CountryTimeZone) => TimeZoneInfo.ConvertTime(instant, Zone(timeZone));
}
