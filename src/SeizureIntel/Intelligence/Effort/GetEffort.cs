using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Effort;

public sealed record EffortList(IReadOnlyList<EffortRecord> Entries);

public static class GetEffortEndpoint
{
    /// <summary>One search-effort entry (void ones too, marked); its version is the ETag a correction sends in If-Match.</summary>
    [WolverineGet("/api/effort/{id}", OperationId = "getEffort")]
    public static async Task<Results<Ok<EffortRecord>, ProblemHttpResult>> Get(Guid id, IQuerySession session, HttpContext context, CancellationToken token)
    {
        if (await session.LoadAsync<EffortRecord>(id, token) is not { } entry)
            return TypedResults.Problem(Change.Unknown(EffortRecord.Resource, id));
        context.Response.Headers.ETag = Versions.ETag(entry.Version);
        return TypedResults.Ok(entry);
    }

    /// <summary>The effort entries of a facility (required) for months from..to (yyyy-MM, a date or a year; inclusive), void ones excluded.</summary>
    [WolverineGet("/api/effort", OperationId = "listEffort")]
    public static async Task<Results<Ok<EffortList>, ProblemHttpResult>> List(string? facility, string? from, string? to, FacilityCatalog facilities,
        TimeProvider time, IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        var now = time.GetUtcNow();
        Facility? f = null;
        if (string.IsNullOrWhiteSpace(facility)) problems.Fail("facility", "is required (a facility code or alias)");
        else if ((f = facilities.Resolve(facility)) is null) problems.Fail("facility", $"'{facility}' is not a known facility code or alias");
        var lo = BucketFilter.ParseMonth(problems, "from", from, end: false, now) ?? int.MinValue;
        var hi = BucketFilter.ParseMonth(problems, "to", to, end: true, now) ?? int.MaxValue;
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad effort query"));
        var entries = await EffortQueries.EntriesAsync(session, [f!.Code], lo, hi, token);
        return TypedResults.Ok(new EffortList(entries.OrderBy(e => e.From).ThenBy(e => e.Kind).ToList()));
    }
}

public static class EffortQueries
{
    /// <summary>The counting (not void) effort entries of the facilities in months lo..hi (month indexes, inclusive).</summary>
    public static async Task<IReadOnlyList<EffortRecord>> EntriesAsync(IQuerySession session, IReadOnlyCollection<string> facilities, int lo, int hi,
        CancellationToken token)
    {
        var codes = facilities.ToArray();
        return await session.Query<EffortRecord>()
            .Where(e => codes.Contains(e.Facility) && e.MonthIndex >= lo && e.MonthIndex <= hi && !e.Voided)
            .ToListAsync(token);
    }
}
