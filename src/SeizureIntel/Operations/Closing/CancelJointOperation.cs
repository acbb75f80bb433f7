using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Operations.Closing;

/// <summary>Cancel a planned or running operation, with a reason. A cancelled operation counts in no year's figures.</summary>
public sealed record CancelJointOperation(string? Reason);

public static class CancelJointOperationEndpoint
{
    public const string Title = "The joint operation was not cancelled";

    public static ProblemDetails Validate(CancelJointOperation command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var problems = new Problems();
        problems.RequireText("reason", command.Reason);
        return problems.Verdict(Title);
    }

    public static OperationDecision Decide(JointOperation operation, string reason, Actor by, DateTimeOffset now) =>
        OperationDecision.RefuseIfClosed(operation, Title) ?? OperationDecision.Append(new JointOperationCancelled(operation.Id, reason, by, now));

    /// <summary>Cancel a planned or launched joint operation, with a reason. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/cancel", OperationId = "cancelJointOperation")]
    [OperationChangeResponses]
    public static Task<IResult> Post(Guid id, CancelJointOperation command, NodeIdentity node, HttpContext context,
        IDocumentSession session, IMessageBus bus, SharingOutbox sharing, TimeProvider time, CancellationToken token) =>
        OperationChanges.ApplyAsync(id, context, session, bus, sharing, op => Decide(op, command.Reason!.Trim(), Actor.From(context, node), time.GetUtcNow()), token);
}
