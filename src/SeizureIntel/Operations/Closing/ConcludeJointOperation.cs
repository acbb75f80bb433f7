using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Closing;

/// <summary>Conclude a launched operation with a summary. <paramref name="ConcludedAt"/>: when it ended; default now.</summary>
public sealed record ConcludeJointOperation(string? Summary, string? ConcludedAt = null);

public static class ConcludeJointOperationEndpoint
{
    public const string Title = "The joint operation was not concluded";

    public static (DateTimeOffset? ConcludedAt, Problems Problems) Check(ConcludeJointOperation command, DateTimeOffset now)
    {
        var problems = new Problems();
        problems.RequireText("summary", command.Summary, 4000);
        var at = OperationFields.Instant(problems, "concludedAt", command.ConcludedAt, now, required: false, allowFuture: false);
        return (at ?? now, problems);
    }

    public static ProblemDetails Validate(ConcludeJointOperation command, TimeProvider time)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Pure: only a launched operation concludes, not before its launch; a planned one is cancelled instead.</summary>
    public static Decision Decide(JointOperation operation, string summary, DateTimeOffset concludedAt, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (operation.Status == OperationStatus.Planned)
            return OperationRules.Refuse("operation", "was never launched; cancel it instead (POST /api/operations/{id}/cancel)", Title);
        if (concludedAt < operation.LaunchedAt)
            return OperationRules.Refuse("concludedAt", $"is before the launch ({operation.LaunchedAt:O})", Title);
        return Decision.Append(new JointOperationConcluded(operation.Id, concludedAt.ToUniversalTime(), summary, by, now));
    }

    /// <summary>Conclude a launched joint operation with a summary. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/conclude", OperationId = "concludeJointOperation")]
    public static (IResult, Events) Post(ConcludeJointOperation command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (at, _) = Check(command, now);
        return Decide(operation, command.Summary!.Trim(), at!.Value, by, now).Answer(operation);
    }
}
