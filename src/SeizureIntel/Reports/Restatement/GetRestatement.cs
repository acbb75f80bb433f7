using Marten;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Reports.Annual;
using SeizureIntel.Seizures.Quantities;
using Wolverine.Http;

namespace SeizureIntel.Reports.Restatement;

public static class GetRestatementEndpoint
{
    /// <summary>
    /// What changed in the annual report for year (against baseline, default year − 1; one agency's records with agency)
    /// since it was generated as of asOf (required: an ISO 8601 instant with an offset or Z, not in the future): every
    /// record whose share of the published figures changed, with the events that changed it (late lab results,
    /// corrections, voids, duplicates marked, partner records received or withdrawn, seizures recorded late), their
    /// reasons and times in Bishkek time, and the net effect on each published total. 400 problem details name every
    /// bad parameter.
    /// </summary>
    [WolverineGet("/api/reports/annual/{year}/restatement", OperationId = "getAnnualReportRestatement")]
    public static async Task<IResult> Get(string year, string? baseline, string? asOf, string? agency, IQuerySession session, ReferenceData reference,
        QuantityConverter converter, TimeProvider time, CancellationToken token)
    {
        var problems = new Problems();
        var now = time.GetUtcNow();
        if (string.IsNullOrWhiteSpace(asOf)) problems.Fail("asOf", "is required: the instant the report was generated as of, e.g. 2016-01-31T00:00:00+06:00");
        var (request, _) = AnnualReportParameters.Parse(year, baseline, asOf, agency, null, now, problems);
        if (request?.AsOf is not { } cutOff) return TypedResults.Problem(problems.Invalid("Bad restatement parameters"));

        var replay = await Restatements.ReplayAsync(session, cutOff, now, converter, token);
        return TypedResults.Ok(Restatements.Compute(replay, request.Year, request.Baseline, request.Agency, reference));
    }
}
