using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;

namespace SeizureIntel.Seizures.History;

/// <summary>One event of a seizure's history: what happened, who did it, when it was recorded and why.</summary>
public sealed record HistoryEntry(
    long Version, long Sequence, string Event, DateTimeOffset RecordedAt, string? User, string? Agency, string? Reason,
    IReadOnlyList<FieldChange>? Changes, object Data);

public sealed record SeizureHistory(Guid Id, string Reference, IReadOnlyList<HistoryEntry> Events);

public static class GetSeizureHistoryEndpoint
{
    /// <summary>Every event of a seizure, oldest first, with who, when and why. Nothing is ever removed from it.</summary>
    [WolverineGet("/api/seizures/{id}/history", OperationId = "getSeizureHistory")]
    public static async Task<IResult> Get(Guid id, IQuerySession session, Actor by, CancellationToken token)
    {
        var events = await session.Events.FetchStreamAsync(id, token: token);
        if (events.Count == 0) return Results.Problem(Change.Unknown(VersionedResource.Seizure, id));
        // Facility scoping for officers, and a partner's record only as far as its handling code and distribution allow.
        var current = await session.LoadAsync<Seizure>(id, token);
        if (current is null || !by.MayActAt(current.FacilityId) || !Partners.PartnerVisibility.Allows(current, by))
            return Results.Problem(Change.Unknown(VersionedResource.Seizure, id));

        var entries = events.Select(e => e.Data switch
        {
            SeizureRecorded r => new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, r.RecordedBy, r.Agency, null, null, r),
            SeizureCorrected c => new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, c.By.User, c.By.Agency, c.Reason, c.Changes, c),
            Corrections.SeizureSharingCorrected c => new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, c.By.User, c.By.Agency, c.Reason, c.Changes, c),
            IAttributedEvent a => new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, a.By.User, a.By.Agency,
                ReasonOf(e.Data), null, e.Data),
            _ => new HistoryEntry(e.Version, e.Sequence, e.EventTypeName, e.Timestamp, null, null, null, null, e.Data),
        }).ToList();
        var reference = events[0].Data is SeizureRecorded first ? first.Reference : "";
        return Results.Ok(new SeizureHistory(id, reference, entries));
    }

    private static string? ReasonOf(object data) => data switch
    {
        SeizureVoided v => v.Reason,
        SeizureMarkedDuplicate d => d.Reason,
        Custody.CustodyTransferred t => t.Reason,
        _ => null,
    };
}
