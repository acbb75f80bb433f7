using System.Globalization;
using SeizureIntel.Facilities;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>The rules of an effort entry's fields, in one place for recording, bulk import and correction.</summary>
public static class EffortFields
{
    public const decimal MaxAmount = 10_000_000m;

    /// <summary>
    /// The figures named by <paramref name="prefix"/>facilityId, kind, date (yyyy-MM-dd) or month (yyyy-MM), amount; null
    /// with the reasons in <paramref name="problems"/>. The day or month may not lie after today in the facility's time zone.
    /// </summary>
    public static EffortFigures? Check(Problems problems, string prefix, string? facilityId, string? kind, string? date, string? month, decimal? amount,
        FacilityCatalog facilities, ReferenceData reference, DateTimeOffset now)
    {
        var failed = problems.Errors.Count;
        Facility? facility = null;
        if (string.IsNullOrWhiteSpace(facilityId)) problems.Fail(prefix + "facilityId", "is required (a facility code or alias, see GET /api/facilities)");
        else if ((facility = facilities.Resolve(facilityId)) is null)
            problems.Fail(prefix + "facilityId", $"'{facilityId}' is not a known facility code or alias (see GET /api/facilities)");

        Term? term = null;
        if (string.IsNullOrWhiteSpace(kind)) problems.Fail(prefix + "kind", $"is required (see GET /api/reference/{ReferenceData.EffortKinds})");
        else if ((term = reference.Find(ReferenceData.EffortKinds, kind)) is null)
            problems.Fail(prefix + "kind", $"'{kind}' is not a known kind of search effort (see GET /api/reference/{ReferenceData.EffortKinds})");

        string period = EffortRecord.Month;
        DateOnly from = default, to = default;
        var hasDate = !string.IsNullOrWhiteSpace(date);
        var hasMonth = !string.IsNullOrWhiteSpace(month);
        if (hasDate == hasMonth) problems.Fail(prefix + "date", "give either date (yyyy-MM-dd, one local day) or month (yyyy-MM, one local month), not both");
        else if (hasDate)
        {
            if (!DateOnly.TryParseExact(date!.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
                problems.Fail(prefix + "date", "must be a date yyyy-MM-dd");
            period = EffortRecord.Day;
            to = from;
        }
        else
        {
            if (!DateOnly.TryParseExact(month!.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out from))
                problems.Fail(prefix + "month", "must be a month yyyy-MM");
            to = from.AddMonths(1).AddDays(-1);
        }
        if (from != default && from.Year < 1990) problems.Fail(prefix + (hasDate ? "date" : "month"), "must be in 1990 or later");
        else if (from != default && facility is not null && from > facility.LocalDateOf(now))
            problems.Fail(prefix + (hasDate ? "date" : "month"), "may not lie in the future (the facility's local date)");

        if (amount is null) problems.Fail(prefix + "amount", "is required: screenings done (or hours, for dog teams)");
        else if (amount < 0 || amount > MaxAmount) problems.Fail(prefix + "amount", $"must be between 0 and {MaxAmount:0}");
        else if (term is { Kind: "screenings" } && amount != decimal.Truncate(amount.Value))
            problems.Fail(prefix + "amount", "must be a whole number of screenings");

        return problems.Errors.Count > failed ? null : new EffortFigures(facility!.Code, term!.Code, period, from, to, amount!.Value);
    }

    public static string? OptionalText(Problems problems, string field, string? value, int maxLength = 1000)
    {
        if (value is { Length: > 0 } && value.Length > maxLength) problems.Fail(field, $"must be at most {maxLength} characters");
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
