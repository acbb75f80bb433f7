using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Seizures.Quantities;
using Wolverine.Http;

namespace SeizureIntel.Seizures;

/// <summary>
/// A seizure as the API shows it: what was recorded, plus the mass derived from its quantity (estimated, and naming
/// the conversion table version, when the unit is a volume or a count).
/// </summary>
public sealed record SeizureView(
    Guid Id,
    string Agency,
    string Reference,
    string FacilityId,
    DateTimeOffset OccurredAt,
    DateOnly LocalDate,
    string TimeZone,
    string Substance,
    Quantity Quantity,
    decimal? Grams,
    bool GramsEstimated,
    string? GramsTableVersion,
    string Detection,
    string? Notes,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    bool Demo,
    long Version)
{
    public static SeizureView Of(Seizure s, QuantityConverter converter)
    {
        var mass = converter.ToMass(s.Substance, s.Quantity);
        return new SeizureView(s.Id, s.Agency, s.Reference, s.FacilityId, s.OccurredAt, s.LocalDate, s.TimeZone, s.Substance,
            s.Quantity, mass?.Grams, mass?.Estimated ?? false, mass?.TableVersion, s.Detection, s.Notes, s.RecordedBy, s.RecordedAt, s.Demo, s.Version);
    }
}

public static class GetSeizureEndpoint
{
    /// <summary>The current state of one seizure.</summary>
    [WolverineGet("/api/seizures/{id}", OperationId = "getSeizure")]
    public static async Task<Results<Ok<SeizureView>, ProblemHttpResult>> Get(
        Guid id, IQuerySession session, QuantityConverter converter, CancellationToken token)
    {
        var seizure = await session.LoadAsync<Seizure>(id, token);
        return seizure is null
            ? TypedResults.Problem(statusCode: 404, title: "Unknown seizure", detail: $"No seizure has the id {id}.")
            : TypedResults.Ok(SeizureView.Of(seizure, converter));
    }
}
