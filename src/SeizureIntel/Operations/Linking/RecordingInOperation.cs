using Marten;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Operations.Linking;

/// <summary>
/// A seizure recorded with detection "joint-operation" names its operation (operationId) and joins it in the same
/// transaction: SeizureLinked is appended to the operation's stream with the seizure's first event. The operation's
/// stream row is locked while it is checked, so a conclusion or cancellation cannot slip in between the check and
/// the link (it waits, then finds the operation changed: 412), while simultaneous recordings into one operation queue
/// briefly instead of failing each other. The version read under the lock is handed to the append (through the
/// request's items) so that the operation's inline snapshot gets its true version.
/// </summary>
public static class RecordingInOperation
{
    public const string Detection = "joint-operation";

    /// <summary>What <see cref="RefuseAsync"/> found, for <see cref="Link"/> in the same request.</summary>
    private sealed record Checked(Guid OperationId, long Version);

    /// <summary>400 rules: joint-operation requires operationId; any other detection takes none (link those later).</summary>
    public static void CheckField(Problems problems, string? detection, Guid? operationId)
    {
        if (detection == Detection && (operationId is null || operationId == Guid.Empty))
            problems.Fail("operationId", "is required when detection is joint-operation: the id of the launched joint operation (see /api/operations)");
        else if (detection is not null && detection != Detection && operationId is not null)
            problems.Fail("operationId", "is taken only with detection joint-operation; link other seizures with POST /api/operations/{id}/seizures");
    }

    /// <summary>409 when the named operation is unknown, not running, or this node's agency does not take part; null to go on.</summary>
    public static async Task<IResult?> RefuseAsync(RecordSeizure command, NodeIdentity node, IDocumentSession session, HttpContext context,
        CancellationToken token)
    {
        if (command.OperationId is not { } id) return null;

        await OperationChanges.LockAsync(session, [id], token);
        var operation = await session.LoadAsync<JointOperation>(id, token);
        if (RefusalFor(id, operation, node.Agency) is { } refusal)
            return Results.Problem(OperationProblems.Refused("operationId", refusal, SeizureRules.RefusedTitle));
        context.Items[typeof(Checked)] = new Checked(id, operation!.Version);
        return null;
    }

    /// <summary>
    /// Why the operation does not take a seizure of <paramref name="agency"/> as it is recorded or corrected into it (null: it
    /// does): it must be in this store, planned here (a partner's operation is read-only where it is received), launched and
    /// not closed, with the agency among its participants.
    /// </summary>
    public static string? RefusalFor(Guid id, JointOperation? operation, string agency) => operation switch
    {
        null => $"no joint operation {id} is in this store",
        { Received: true } => $"{operation.CodeName} is {operation.OriginAgency}'s operation, received over sharing; only {operation.OriginAgency} can link seizures to it",
        { Status: OperationStatus.Planned } => $"{operation.CodeName} is planned but not launched; seizures join it from its launch",
        { Status: OperationStatus.Concluded } => $"{operation.CodeName} was concluded; it takes no more seizures",
        { Status: OperationStatus.Cancelled } => $"{operation.CodeName} was cancelled; it takes no more seizures",
        _ when !operation.Agencies.Contains(agency) =>
            $"{agency} does not take part in {operation.CodeName} (participants: {string.Join(", ", operation.Agencies)})",
        _ => null,
    };

    /// <summary>Appends SeizureLinked to the operation checked and locked by <see cref="RefuseAsync"/>, and its link row.</summary>
    public static SeizureLinked? Link(IDocumentSession session, HttpContext context, SeizureRecorded recorded)
    {
        if (context.Items[typeof(Checked)] is not Checked (var id, var version)) return null;
        var linked = new SeizureLinked(id, recorded.SeizureId, recorded.Reference, recorded.Agency, LinkSeizureEndpoint.ViaRecording,
            new Actor(recorded.RecordedBy, recorded.Agency), recorded.RecordedAt);
        session.Events.Append(id, version + 1, linked);
        SeizureOperationLinks.Follow(session, [linked]);
        return linked;
    }
}
