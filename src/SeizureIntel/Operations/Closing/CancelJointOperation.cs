using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

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

    public static Decision Decide(JointOperation operation, string reason, Actor by, DateTimeOffset now) =>
        OperationRules.RefuseIfClosed(operation, Title) ?? Decision.Append(new JointOperationCancelled(operation.Id, reason, by, now));

    /// <summary>Cancel a planned or launched joint operation, with a reason. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/cancel", OperationId = "cancelJointOperation")]
    public static (IResult, Events) Post(CancelJointOperation command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time) =>
        Decide(operation, command.Reason!.Trim(), by, time.GetUtcNow()).Answer(operation);
}
