using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Agencies;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Operations;

public sealed record OperationListItem(
    Guid Id, string CodeName, string Status, string LeadAgency, IReadOnlyList<string> Agencies, bool TakesPart, IReadOnlyList<string> TargetFacilities,
    DateTimeOffset PlannedStart, DateTimeOffset PlannedEnd, DateTimeOffset? LaunchedAt, int Year, int? CountedYear, int Seizures,
    int Arrests, int Cases, long Version);

public static class ListJointOperationsEndpoint
{
    public const string Title = "Bad operation filter";

    /// <summary>
    /// Joint operations, oldest planned start first. year: the operation's year, the local (Asia/Bishkek) year of its
    /// launch, or of its planned start while it is not launched; agency: a participating agency; status: planned,
    /// launched, concluded or cancelled.
    /// </summary>
    [WolverineGet("/api/operations", OperationId = "listJointOperations")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<Results<Ok<List<OperationListItem>>, ProblemHttpResult>> Get(
        string? year, string? agency, string? status, IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        int? y = null;
        if (!string.IsNullOrWhiteSpace(year))
        {
            if (int.TryParse(year, out var parsed) && parsed is >= 1900 and <= 9999) y = parsed;
            else problems.Fail("year", "must be a year such as 2015");
        }
        var code = problems.Agency("agency", agency, required: false);
        OperationStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (Enum.TryParse<OperationStatus>(status.Trim(), ignoreCase: true, out var s) && !int.TryParse(status, out _)) wanted = s;
            else problems.Fail("status", "must be planned, launched, concluded or cancelled");
        }
        if (problems.Any) return TypedResults.Problem(problems.Invalid(Title));

        IQueryable<JointOperation> query = session.Query<JointOperation>();
        if (y is { } inYear) query = query.Where(o => o.Year == inYear);
        if (code is not null) query = query.Where(o => o.Agencies.Contains(code));
        if (wanted is { } inStatus) query = query.Where(o => o.Status == inStatus);
        var operations = await query.OrderBy(o => o.PlannedStart).ToListAsync(token);

        return TypedResults.Ok(operations.Select(o => new OperationListItem(o.Id, o.CodeName, OperationView.StatusOf(o), o.LeadAgency, o.Agencies,
            o.TakesPart, o.TargetFacilities, o.PlannedStart, o.PlannedEnd, o.LaunchedAt, o.Year, o.CountedYear, o.Seizures.Count, o.ArrestCount,
            o.Cases.Count, o.Version)).ToList());
    }
}
