using System.Globalization;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;

namespace SeizureIntel.Operations;

/// <summary>Checks of single fields shared by the operation use cases; each failure names its field (JSON path).</summary>
public static class OperationFields
{
    /// <summary>An instant with its offset; <paramref name="allowFuture"/> for plans, which are about the future.</summary>
    public static DateTimeOffset? Instant(Problems problems, string field, string? value, DateTimeOffset now, bool required, bool allowFuture)
    {
        if (!allowFuture) return SeizureFields.Instant(problems, field, value, now, required);
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        if (!SeizureFields.TryParseInstant(value, out var instant))
            problems.Fail(field, "must be an ISO 8601 date-time with an offset or Z, e.g. 2015-03-14T10:30:00+06:00");
        else if (instant > now.AddYears(MaxYearsAhead)) problems.Fail(field, $"is more than {MaxYearsAhead} years ahead");
        else if (Bounds.NotTooEarly(problems, field, instant)) return instant;
        return null;
    }

    /// <summary>How far ahead an operation may be planned.</summary>
    public const int MaxYearsAhead = 10;

    /// <summary>An optional calendar date such as 2015-03-14, not in the future.</summary>
    public static DateOnly? Date(Problems problems, string field, string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            problems.Fail(field, "must be a date such as 2015-03-14");
        else if (date > JointOperation.LocalDateOf(now).AddDays(1)) problems.Fail(field, "is in the future");
        else if (Bounds.Year(problems, field, date.Year, now)) return date;
        return null;
    }

    /// <summary>400 for a body that is JSON <c>null</c> rather than an object (which would otherwise fail deep inside).</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails NoBody(string title) => Problems.Invalid("body", "must be a JSON object", title);

    /// <summary>Optional bounded free text, trimmed; empty is none.</summary>
    public static string? OptionalText(Problems problems, string field, string? value, int maxLength = 1000)
    {
        if (value is { Length: > 0 } && value.Length > maxLength) problems.Fail(field, $"must be at most {maxLength} characters");
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
