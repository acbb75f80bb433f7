using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;

namespace SeizureIntel.Linking;

/// <summary>
/// The operations a correction touches, as read under lock: the operation the seizure belongs to (null: none), and the
/// operation the correction names (<see cref="TargetId"/>; <see cref="Target"/> null when this store has no such operation).
/// </summary>
public sealed record OperationLinkState(JointOperation? Current, Guid? TargetId, JointOperation? Target)
{
    public static readonly OperationLinkState None = new(null, null, null);
}

/// <summary>What a correction does to the seizure's operation link: the operation events, the change the seizure's history shows, or a refusal.</summary>
public sealed record LinkDecision(IReadOnlyList<IOperationEvent> Events, FieldChange? Change, ProblemDetails? Problem)
{
    public static readonly LinkDecision Nothing = new([], null, null);
    public static LinkDecision Refuse(string field, string reason) =>
        new([], null, OperationProblems.Refused(field, reason, CorrectSeizureEndpoint.Title));
}

/// <summary>
/// A correction keeps "detection joint-operation" and the seizure↔operation link in step, in the same transaction as the
/// correction, under the rules of recording (<see cref="RecordingInOperation"/>):
/// <list type="bullet">
/// <item>setting detection to joint-operation names the operation (<c>operationId</c>, else 400); the seizure joins it
/// (<see cref="SeizureLinked"/> via "correction") if the operation is in this store, planned here, launched and has the
/// seizure's agency among its participants, and the seizure is not a duplicate (else 409, nothing written). Already linked
/// there: nothing more. Linked to another operation that is still running: it moves (unlinked there with the correction's
/// reason, linked here); to a closed one: refused (409 <c>operationId</c>), as a closed operation takes no more changes.</item>
/// <item>changing detection from joint-operation to anything else takes the seizure out of its operation
/// (<see cref="SeizureUnlinked"/>, the reason naming the correction); refused (409 <c>detection</c>) when that operation is
/// concluded, cancelled or a partner's. A seizure found another way in an operation can be linked again with
/// POST /api/operations/{id}/seizures.</item>
/// <item><c>operationId</c> is taken only with detection joint-operation (400).</item>
/// </list>
/// The seizure's history shows the move as a change of <c>operationId</c>; the operations' timelines show the link events.
/// </summary>
public static class CorrectingInOperation
{
    public const string Via = "correction";

    /// <summary>
    /// Pure: the link events a correction to <paramref name="detection"/> implies for <paramref name="seizure"/> (its state
    /// before the correction), given its operations as read under lock.
    /// </summary>
    public static LinkDecision Decide(Seizure seizure, string? detection, OperationLinkState state, string reason, Actor by, DateTimeOffset now)
    {
        if (detection is null) return LinkDecision.Nothing;
        var current = state.Current is { } c && c.Links(seizure.Id) ? c : null;

        if (detection == SeizureFields.JointOperationDetection)
        {
            var targetId = state.TargetId!.Value;
            if (current?.Id == targetId) return LinkDecision.Nothing; // already there
            var target = state.Target;
            if (RecordingInOperation.RefusalFor(targetId, target, seizure.Agency) is { } refusal) return LinkDecision.Refuse("operationId", refusal);
            if (seizure.DuplicateOf is { } original)
                return LinkDecision.Refuse("seizure", $"{seizure.Reference} is a duplicate of {original}, which counts in its place: correct that one");

            var events = new List<IOperationEvent>();
            if (current is not null)
            {
                if (Closed(current) is { } closed)
                    return LinkDecision.Refuse("operationId", $"{seizure.Reference} belongs to {current.CodeName}, which {closed}; it stays there");
                events.Add(new SeizureUnlinked(current.Id, seizure.Id, seizure.Reference,
                    $"moved to joint operation {target!.CodeName} by a correction of the seizure: {reason}", by, now));
            }
            events.Add(new SeizureLinked(targetId, seizure.Id, seizure.Reference, seizure.Agency, Via, by, now));
            return new LinkDecision(events, new FieldChange("operationId", current?.Id.ToString(), targetId.ToString()), null);
        }

        // Away from joint-operation: the seizure was not made in the operation after all.
        if (seizure.Detection != SeizureFields.JointOperationDetection || current is null) return LinkDecision.Nothing;
        if (Closed(current) is { } why)
            return LinkDecision.Refuse("detection",
                $"{seizure.Reference} was made in joint operation {current.CodeName}, which {why}; its seizures cannot leave it, so the detection stays joint-operation");
        return new LinkDecision(
            [new SeizureUnlinked(current.Id, seizure.Id, seizure.Reference, $"detection corrected from joint-operation to {detection}: {reason}", by, now)],
            new FieldChange("operationId", current.Id.ToString(), null), null);
    }

    /// <summary>Why the seizure's operation cannot let it go (null: it can).</summary>
    private static string? Closed(JointOperation operation) => operation switch
    {
        { Received: true } => $"is {operation.OriginAgency}'s operation, received over sharing, and only {operation.OriginAgency} can change it",
        { ClosedBecause: { } closed } => $"{closed} and takes no more changes",
        { Status: OperationStatus.Planned } => "is planned but not launched",
        _ => null,
    };
}
