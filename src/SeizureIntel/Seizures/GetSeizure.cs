using SeizureIntel.Identity;
using Marten;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;

namespace SeizureIntel.Seizures;

/// <summary>
/// A seizure as the API shows it: what was recorded (with corrections applied), the mass derived from its quantity,
/// its best weight (lab net weight, else field figure), its status, chain of custody and lab work.
/// </summary>
public sealed record SeizureView(
    Guid Id,
    string Agency,
    string Reference,
    string? FacilityId,
    SeizureLocation? Location,
    string? Oblast,
    DateTimeOffset OccurredAt,
    DateOnly LocalDate,
    string TimeZone,
    string Substance,
    Quantity Quantity,
    decimal? Grams,
    bool GramsEstimated,
    string? GramsTableVersion,
    decimal? BestGrams,
    bool LabConfirmed,
    string Detection,
    string? Notes,
    Circumstances Circumstances,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    bool Demo,
    string Status,
    string? VoidReason,
    Guid? DuplicateOf,
    string? CurrentCustodian,
    IReadOnlyList<CustodyStep> Custody,
    IReadOnlyList<LabSubmission> LabSubmissions,
    IReadOnlyList<LabResult> LabResults,
    bool Destroyed,
    long Version)
{
    public static SeizureView Of(Seizure s, QuantityConverter converter)
    {
        var mass = converter.ToMass(s.Substance, s.Quantity);
        var lab = s.LatestLabResult;
        return new SeizureView(s.Id, s.Agency, s.Reference, s.FacilityId, s.Location, s.Oblast, s.OccurredAt, s.LocalDate, s.TimeZone, s.Substance,
            s.Quantity, mass?.Grams, mass?.Estimated ?? false, mass?.TableVersion, lab?.NetWeightGrams ?? mass?.Grams, lab is not null,
            s.Detection, s.Notes, s.Circumstances, s.RecordedBy, s.RecordedAt, s.Demo, s.Status, s.VoidReason, s.DuplicateOf,
            s.CurrentCustodian, s.Custody, s.LabSubmissions, s.LabResults, s.Destroyed, s.Version);
    }
}

public static class GetSeizureEndpoint
{
    /// <summary>
    /// The current state of one seizure, with its version as ETag (send it back in If-Match to change the seizure).
    /// With asOf (ISO 8601 instant): the state as it was recorded at that instant, folded from the events up to then.
    /// </summary>
    [WolverineGet("/api/seizures/{id}", OperationId = "getSeizure")]
    public static async Task<IResult> Get(Guid id, string? asOf, IQuerySession session, QuantityConverter converter,
        HttpContext context, Actor by, CancellationToken token)
    {
        Seizure? seizure;
        if (string.IsNullOrWhiteSpace(asOf))
        {
            seizure = await session.LoadAsync<Seizure>(id, token);
        }
        else
        {
            if (!SeizureFields.TryParseInstant(asOf, out var instant))
                return Results.Problem(Problems.Invalid("asOf", "must be an ISO 8601 date-time with an offset or Z", "Bad asOf"));
            seizure = await session.Events.AggregateStreamAsync<Seizure>(id, timestamp: instant.ToUniversalTime(), token: token);
            if (seizure is null && await session.LoadAsync<Seizure>(id, token) is not null)
                return Results.Problem(statusCode: 404, title: "Not yet recorded", detail: $"Seizure {id} was not yet recorded at {instant:O}.");
        }

        // An officer's view ends at their facilities: another facility's seizure is answered as unknown.
        if (seizure is null || !by.MayActAt(seizure.FacilityId) || !Partners.PartnerVisibility.Allows(seizure, by)) return Results.Problem(Change.Unknown(VersionedResource.Seizure, id));
        context.Response.Headers.ETag = Versions.ETag(seizure.Version);
        return Results.Ok(SeizureView.Of(seizure, converter));
    }
}
