using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;
using Wolverine.Marten;
namespace SeizureIntel.Linking;

/// <summary>Take a seizure out of the operation, with a reason (e.g. linked by mistake).</summary>
public sealed record UnlinkSeizure(string? Reason);

/// <summary>The seizure an unlink names, as read for the decision (null: not in this store).</summary>
public sealed record Unlinkable(Seizure? Seizure);

public static class UnlinkSeizureEndpoint
{
    public const string Title = "The seizure was not unlinked";

    public static ProblemDetails Validate(UnlinkSeizure command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var problems = new Problems();
        problems.RequireText("reason", command.Reason);
        return problems.Verdict(Title);
    }

    /// <summary>
    /// Pure: only a linked seizure of a running operation is unlinked, and not one of this node's counted seizures whose
    /// detection is joint-operation (<paramref name="seizure"/>, null when this store has none): "joint-operation" says it
    /// was made in an operation, so it leaves through a correction of its detection, which unlinks it in the same transaction
    /// (<see cref="CorrectingInOperation"/>), or moves to another operation by a correction naming that one.
    /// </summary>
    public static Decision Decide(JointOperation operation, Guid seizureId, Seizure? seizure, string reason, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseUnlessLaunched(operation, Title) is { } refused) return refused;
        var linked = operation.Seizures.FirstOrDefault(s => s.SeizureId == seizureId);
        if (linked is null) return OperationRules.Refuse("seizureId", $"seizure {seizureId} is not linked to this operation", Title);
        if (seizure is { Received: false, Voided: false, Detection: SeizureFields.JointOperationDetection })
            return OperationRules.Refuse("seizureId",
                $"{linked.Reference} was made in this operation (detection joint-operation): correct its detection " +
                $"(POST /api/seizures/{seizureId}/corrections), which unlinks it in the same transaction, or correct it to joint-operation " +
                "with another operationId to move it there", Title);
        return Decision.Append(new SeizureUnlinked(operation.Id, seizureId, linked.Reference, reason, by, now));
    }

    /// <summary>
    /// Unlink a seizure from a launched joint operation, with a reason. Requires If-Match with the operation's ETag. This
    /// node's seizure with detection joint-operation is refused (409 seizureId): correct its detection instead, which unlinks it.
    /// </summary>
    [WolverinePost("/api/operations/{id}/seizures/{seizureId}/unlink", OperationId = "unlinkSeizureFromJointOperation")]
    public static (IResult, Events) Post(Guid seizureId, UnlinkSeizure command, [Change(Exclusive = true)] JointOperation operation,
        Unlinkable seizure, Actor by, TimeProvider time) =>
        Decide(operation, seizureId, seizure.Seizure, command.Reason!.Trim(), by, time.GetUtcNow()).Answer(operation);

    /// <summary>The seizure named (null: not in this store).</summary>
    public static async Task<Unlinkable> LoadAsync(Guid seizureId, IDocumentSession session, CancellationToken token) =>
        new(await session.LoadAsync<Seizure>(seizureId, token));
}
