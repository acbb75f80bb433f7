using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Effort;

public sealed record FacilityRates(
    string Facility, string From, string To, string Granularity, IReadOnlyList<RatePeriod> Periods, IReadOnlyList<KindRate> Total,
    IReadOnlyList<string> Warnings, string Method);

public static class GetFacilityRatesEndpoint
{
    public const int MaxMonths = 240;
    private static readonly string[] Granularities = ["month", "quarter", "year"];

    /// <summary>
    /// Finds and grams per 1,000 screenings of each kind of search effort (per 1,000 hours for dog teams) beside the raw
    /// counts, per month, quarter or year from..to (months yyyy-MM, dates or years; both required, inclusive). A kind
    /// with no effort in a month lists the month as missing rather than dividing by nothing.
    /// </summary>
    [WolverineGet("/api/facilities/{facilityId}/rates", OperationId = "getFacilityRates")]
    public static async Task<Results<Ok<FacilityRates>, ProblemHttpResult>> Get(string facilityId, string? from, string? to, string? granularity,
        FacilityCatalog facilities, ReferenceData reference, TimeProvider time, IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        var now = time.GetUtcNow();
        var facility = facilities.Resolve(facilityId);
        if (facility is null) problems.Fail("facilityId", $"'{facilityId}' is not a known facility code or alias (see GET /api/facilities)");
        var g = string.IsNullOrWhiteSpace(granularity) ? "month" : granularity.Trim().ToLowerInvariant();
        if (!Granularities.Contains(g)) problems.Fail("granularity", "must be month, quarter or year");
        if (string.IsNullOrWhiteSpace(from)) problems.Fail("from", "is required (yyyy-MM, yyyy-MM-dd or yyyy)");
        if (string.IsNullOrWhiteSpace(to)) problems.Fail("to", "is required (yyyy-MM, yyyy-MM-dd or yyyy)");
        var lo = BucketFilter.ParseMonth(problems, "from", from, end: false, now);
        var hi = BucketFilter.ParseMonth(problems, "to", to, end: true, now);
        if (lo > hi) problems.Fail("from", $"'{from}' is after to '{to}'");
        else if (hi - lo >= MaxMonths) problems.Fail("to", $"the range may span at most {MaxMonths} months");
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad rates query"));

        var filter = new BucketFilter(null, null, null, facility!.Code, null, null, null);
        var table = await EffortRates.ComputeAsync(session, filter, [facility.Code], lo!.Value, hi!.Value, g, reference, token);
        return TypedResults.Ok(new FacilityRates(facility.Code, EffortRates.Month(lo.Value), EffortRates.Month(hi.Value), g, table.Periods, table.Total,
            table.Warnings, EffortRates.Method));
    }
}
