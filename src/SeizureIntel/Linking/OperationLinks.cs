using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;

namespace SeizureIntel.Linking;

/// <summary>
/// Seizures' view of joint operations (<see cref="IOperationLinks"/>): admitting a seizure being recorded into an
/// operation, and planning what a correction of its detection does to its link. Locks are always taken in one order,
/// operations' stream rows (in id order) before the seizure's link lock, like the link endpoints, so two writers of the
/// same links queue instead of deadlocking.
/// </summary>
public sealed class OperationLinks : IOperationLinks
{
    public async Task<(OperationAdmission? Admission, ProblemDetails? Refusal)> AdmitAsync(Guid operationId, string agency, string title,
        IDocumentSession session, CancellationToken token)
    {
        await OperationRules.LockAsync(session, [operationId], token);
        var operation = await session.LoadAsync<JointOperation>(operationId, token);
        return RecordingInOperation.RefusalFor(operationId, operation, agency) is { } refusal
            ? (null, OperationProblems.Refused("operationId", refusal, title))
            : (new OperationAdmission(operationId, operation!.Version), null);
    }

    public void Join(OperationAdmission admission, SeizureRecorded recorded, IDocumentSession session)
    {
        var linked = new SeizureLinked(admission.OperationId, recorded.SeizureId, recorded.Reference, recorded.Agency,
            LinkSeizureEndpoint.ViaRecording, new Actor(recorded.RecordedBy, recorded.Agency), recorded.RecordedAt);
        // The version read under the lock: the operation's inline snapshot gets its true version, and a writer that slipped
        // past the lock would fail on it.
        session.Events.Append(admission.OperationId, admission.Version + 1, linked);
    }

    public async Task<ILinkPlan> PlanCorrectionAsync(Seizure seizure, string? detection, Guid? operationId, string reason, Actor by,
        DateTimeOffset now, IDocumentSession session, CancellationToken token)
    {
        // Only a correction that names a detection can touch the link.
        if (detection is null) return LinkPlan.Nothing;
        var link = await session.LoadAsync<SeizureOperationLink>(seizure.Id, token);
        var ids = new[] { link?.OperationId, operationId }.OfType<Guid>().Distinct().ToList();
        if (ids.Count == 0) return LinkPlan.Nothing;

        await OperationRules.LockAsync(session, ids, token);
        await SeizureOperationLinks.LockAsync(session, seizure.Id, token);
        // Under the locks the link cannot change; read it again in case it changed before.
        link = await session.LoadAsync<SeizureOperationLink>(seizure.Id, token);
        if (link is not null && !ids.Contains(link.OperationId))
            return new LinkPlan(LinkDecision.Refuse("operationId",
                $"the seizure was linked to joint operation {link.OperationId} while this correction was checked; read it again"), new Dictionary<Guid, IEventStream<JointOperation>>());

        var streams = new Dictionary<Guid, IEventStream<JointOperation>>();
        foreach (var id in ids) streams[id] = await session.Events.FetchForWriting<JointOperation>(id, token);
        var state = new OperationLinkState(link is null ? null : streams[link.OperationId].Aggregate, operationId,
            operationId is { } target ? streams[target].Aggregate : null);
        return new LinkPlan(CorrectingInOperation.Decide(seizure, detection, state, reason, by, now), streams);
    }

    private sealed record LinkPlan(LinkDecision Decision, IReadOnlyDictionary<Guid, IEventStream<JointOperation>> Streams) : ILinkPlan
    {
        public static readonly LinkPlan Nothing = new(LinkDecision.Nothing, new Dictionary<Guid, IEventStream<JointOperation>>());

        public FieldChange? Change => Decision.Change;
        public ProblemDetails? Problem => Decision.Problem;

        public void Apply(IDocumentSession session)
        {
            // The link rows follow the events (SeizureOperationLinkProjection, inline).
            foreach (var group in Decision.Events.GroupBy(e => e.OperationId))
                Streams[group.Key].AppendMany(group.Cast<object>().ToArray());
        }
    }
}
