using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Operations;

/// <summary>A linked seizure as it stands now: best substance and weight (the lab's, else the field's), and whether it counts.</summary>
public sealed record OperationSeizureRow(
    Guid Id, string Reference, string Agency, string? FacilityId, DateOnly LocalDate, string Substance, decimal? BestGrams,
    bool LabConfirmed, string Status, string LinkedVia, string LinkedBy, DateTimeOffset LinkedAt);

/// <summary>Counted linked seizures of one substance; withoutMass: those whose quantity has no known mass.</summary>
public sealed record OperationSubstanceRow(string Substance, int Count, decimal Grams, int WithoutMass);

/// <summary>One event of the operation's stream: what happened, who (user and agency) and when.</summary>
public sealed record TimelineEntry(long Version, string Event, DateTimeOffset At, string User, string Agency, object Data);

public sealed record OperationView(
    Guid Id,
    string CodeName,
    string Status,
    string LeadAgency,
    IReadOnlyList<string> Agencies,
    bool TakesPart,
    IReadOnlyList<string> TargetFacilities,
    OperationArea? Area,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    string LegalBasis,
    DateTimeOffset? LaunchedAt,
    DateOnly? LaunchDate,
    DateTimeOffset? ConcludedAt,
    string? Summary,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    int Year,
    int? CountedYear,
    IReadOnlyList<OperationSeizureRow> Seizures,
    int SeizuresCounted,
    decimal Grams,
    IReadOnlyList<OperationSubstanceRow> BySubstance,
    int Arrests,
    IReadOnlyList<ArrestRecord> ArrestRecords,
    IReadOnlyList<CriminalCase> Cases,
    IReadOnlyList<TimelineEntry> Timeline,
    long Version)
{
    public static string StatusOf(JointOperation o) => o.Status.ToString().ToLowerInvariant();

    public static OperationView Of(JointOperation o, IReadOnlyDictionary<Guid, Seizure> seizures, QuantityConverter converter,
        IReadOnlyList<TimelineEntry> timeline)
    {
        var rows = new List<OperationSeizureRow>();
        foreach (var link in o.Seizures)
        {
            if (!seizures.TryGetValue(link.SeizureId, out var s)) continue;
            var lab = s.LatestLabResult;
            var grams = lab?.NetWeightGrams ?? converter.ToMass(s.Substance, s.Quantity)?.Grams;
            var status = s.Status;
            rows.Add(new OperationSeizureRow(s.Id, s.Reference, s.Agency, s.FacilityId, s.LocalDate, lab?.ConfirmedSubstance ?? s.Substance,
                grams, lab is not null, status, link.Via, link.By.User, link.At));
        }
        var counted = rows.Where(r => r.Status == SeizureStatus.Counted).ToList();
        var bySubstance = counted.GroupBy(r => r.Substance).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new OperationSubstanceRow(g.Key, g.Count(), g.Sum(r => r.BestGrams ?? 0m), g.Count(r => r.BestGrams is null)))
            .ToList();

        return new OperationView(o.Id, o.CodeName, StatusOf(o), o.LeadAgency, o.Agencies, o.TakesPart, o.TargetFacilities, o.Area, o.PlannedStart,
            o.PlannedEnd, o.LegalBasis, o.LaunchedAt, o.LaunchDate, o.ConcludedAt, o.Summary, o.CancelledAt, o.CancellationReason, o.Year,
            o.CountedYear, rows, counted.Count, counted.Sum(r => r.BestGrams ?? 0m), bySubstance, o.ArrestCount, o.Arrests, o.Cases,
            timeline, o.Version);
    }

    public static TimelineEntry Entry(IEvent e) => e.Data is IOperationEvent a
        ? new TimelineEntry(e.Version, e.EventTypeName, a.At, a.By.User, a.By.Agency, e.Data)
        : new TimelineEntry(e.Version, e.EventTypeName, e.Timestamp, "", "", e.Data);
}

public static class GetJointOperationEndpoint
{
    /// <summary>
    /// One joint operation: plan, status, agencies (takesPart: whether this node's agency is one of them; false on the
    /// copy a partner keeps after it left), linked seizures with their best weight now, grams by substance
    /// (counted seizures only), arrests, criminal cases and the timeline of every event with who and when. ETag: its version.
    /// An officer's list of linked seizures holds only the assigned facilities' (the totals count them all).
    /// </summary>
    [WolverineGet("/api/operations/{id}", OperationId = "getJointOperation")]
    [ProducesResponseType<OperationView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, QuantityConverter converter, HttpContext context, Identity.Actor by,
        CancellationToken token)
    {
        var operation = await session.LoadAsync<JointOperation>(id, token);
        if (operation is null) return Results.Problem(Change.Unknown(VersionedResource.JointOperation, id));

        var seizures = (await session.LoadManyAsync<Seizure>(token, operation.Seizures.Select(s => s.SeizureId).ToArray())).ToDictionary(s => s.Id);
        var events = await session.Events.FetchStreamAsync(id, token: token);
        context.Response.Headers.ETag = Versions.ETag(operation.Version);
        var view = OperationView.Of(operation, seizures, converter, events.Select(OperationView.Entry).ToList());
        // An officer sees the operation's totals but lists only the linked seizures of the facilities assigned to them
        // (Actor.MayActAt), like every other list of seizures.
        return Results.Ok(by.VisibleFacilities is null ? view : view with { Seizures = view.Seizures.Where(r => by.MayActAt(r.FacilityId)).ToList() });
    }
}
