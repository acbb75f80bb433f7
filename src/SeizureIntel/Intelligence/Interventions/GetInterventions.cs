using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Interventions;

public sealed record InterventionList(IReadOnlyList<Intervention> Interventions);

public static class GetInterventionsEndpoint
{
    /// <summary>The registered interventions, by start date; facility= keeps those at one facility.</summary>
    [WolverineGet("/api/interventions", OperationId = "listInterventions")]
    public static async Task<Results<Ok<InterventionList>, ProblemHttpResult>> List(string? facility, FacilityCatalog facilities, IQuerySession session,
        CancellationToken token)
    {
        string? code = null;
        if (!string.IsNullOrWhiteSpace(facility))
        {
            if (facilities.Resolve(facility) is not { } f)
                return TypedResults.Problem(Problems.Invalid("facility", $"'{facility}' is not a known facility code or alias", "Bad intervention query"));
            code = f.Code;
        }
        var all = await session.Query<Intervention>().ToListAsync(token);
        return TypedResults.Ok(new InterventionList(all.Where(i => code is null || i.Facilities.Contains(code))
            .OrderBy(i => i.StartedOn).ThenBy(i => i.RegisteredAt).ToList()));
    }

    /// <summary>One registered intervention.</summary>
    [WolverineGet("/api/interventions/{id}", OperationId = "getIntervention")]
    public static async Task<Results<Ok<Intervention>, ProblemHttpResult>> Get(Guid id, IQuerySession session, CancellationToken token) =>
        await session.LoadAsync<Intervention>(id, token) is { } intervention
            ? TypedResults.Ok(intervention)
            : TypedResults.Problem(statusCode: 404, title: "Unknown intervention", detail: $"No intervention has the id {id}.");
}
