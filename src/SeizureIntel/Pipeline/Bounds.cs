using System.Globalization;

namespace SeizureIntel.Pipeline;

/// <summary>
/// The limits every input is held to, in one place: request bodies, lists, free text, years and dates. Field rules
/// (Seizures/SeizureFields, Operations/OperationFields) and query parameters use these, and so can the sharing receiver,
/// so that nothing the API refuses reaches a read model by another way.
/// </summary>
public static class Bounds
{
    /// <summary>
    /// The earliest year a seizure, a lab report, a cut-off or a query may name (SeizureIntel:EarliestYear). 1991, the
    /// year Kyrgyzstan became independent, by default: historical records since then still fit, the year 0001 does not.
    /// Set once at start-up (Node/NodeSetup.AddNode), before the first request.
    /// </summary>
    public static int EarliestYear { get; private set; } = DefaultEarliestYear;

    public const int DefaultEarliestYear = 1991;

    public static void ConfigureEarliestYear(int year)
    {
        if (year is < 1900 or > 2100) throw new InvalidOperationException($"SeizureIntel:EarliestYear {year} must be between 1900 and 2100");
        EarliestYear = year;
    }

    /// <summary>Largest request body accepted (413 beyond): a seizure is about 1 KiB, an operation's area polygon at most ~300 KiB.</summary>
    public const long MaxRequestBytes = 1_048_576;

    /// <summary>Items in any list of a body (witnesses, charges, techniques, partners, agencies, target facilities).</summary>
    public const int MaxListItems = 50;

    /// <summary>Characters of a short text inside a list (a witness id, a charge, a technique's name).</summary>
    public const int MaxItemLength = 200;

    /// <summary>Positions over all rings of a GeoJSON polygon (an operation's area).</summary>
    public const int MaxPolygonPositions = 10_000;

    /// <summary>Rings of a GeoJSON polygon (its shell and holes).</summary>
    public const int MaxPolygonRings = 100;

    /// <summary>Periods a trend series may answer with (1991–2026 in months is 432).</summary>
    public const int MaxPeriods = 600;

    /// <summary>A year between <see cref="EarliestYear"/> and the current one (UTC), else a failure naming the field.</summary>
    public static bool Year(Problems problems, string field, int year, DateTimeOffset now)
    {
        if (year >= EarliestYear && year <= now.UtcDateTime.Year + 1) return true;
        problems.Fail(field, $"must be a year from {EarliestYear} to {now.UtcDateTime.Year}");
        return false;
    }

    /// <summary>A year given as text (query parameters), parsed and bounded; null (and a failure) when it is not one.</summary>
    public static int? Year(Problems problems, string field, string? value, DateTimeOffset now, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required (a year such as 2015)");
            return null;
        }
        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            problems.Fail(field, $"must be a year from {EarliestYear} to {now.UtcDateTime.Year}");
            return null;
        }
        return Year(problems, field, year, now) ? year : null;
    }

    /// <summary>An instant no earlier than 1 January of <see cref="EarliestYear"/> (in its own offset).</summary>
    public static bool NotTooEarly(Problems problems, string field, DateTimeOffset instant)
    {
        if (instant.Year >= EarliestYear) return true;
        problems.Fail(field, $"is before {EarliestYear}, the earliest year this node records (SeizureIntel:EarliestYear)");
        return false;
    }

    /// <summary>
    /// A list of short texts: at most <paramref name="maxItems"/>, none null or blank, each at most
    /// <paramref name="maxLength"/> characters. Returns the trimmed items, or null when anything failed.
    /// </summary>
    public static List<string>? Texts(Problems problems, string field, IReadOnlyList<string?>? values, bool required,
        string requiredReason = "name at least one", int maxItems = MaxListItems, int maxLength = MaxItemLength)
    {
        if (values is not { Count: > 0 })
        {
            if (required) problems.Fail(field, requiredReason);
            return required ? null : [];
        }
        if (values.Count > maxItems)
        {
            problems.Fail(field, $"must have at most {maxItems} items");
            return null;
        }
        var failed = problems.Errors.Count;
        var items = new List<string>();
        for (var i = 0; i < values.Count; i++)
            if (problems.RequireText($"{field}[{i}]", values[i], maxLength) is { } item) items.Add(item);
        return problems.Errors.Count > failed ? null : items;
    }

    /// <summary>A list that must not be longer than <paramref name="maxItems"/>; false (and a failure) when it is.</summary>
    public static bool Count<T>(Problems problems, string field, IReadOnlyCollection<T>? values, int maxItems = MaxListItems)
    {
        if (values is null || values.Count <= maxItems) return true;
        problems.Fail(field, $"must have at most {maxItems} items");
        return false;
    }
}
