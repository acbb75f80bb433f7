using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Calendar;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Launching;

/// <summary>Launch a planned operation. <paramref name="LaunchedAt"/>: when it started (ISO 8601 with offset); default now.</summary>
public sealed record LaunchJointOperation(string? LaunchedAt = null);

public static class LaunchJointOperationEndpoint
{
    public const string Title = "The joint operation was not launched";

    public static (DateTimeOffset? LaunchedAt, Problems Problems) Check(LaunchJointOperation command, DateTimeOffset now)
    {
        var problems = new Problems();
        var at = OperationFields.Instant(problems, "launchedAt", command.LaunchedAt, now, required: false, allowFuture: false);
        return (at ?? now, problems);
    }

    public static ProblemDetails Validate(LaunchJointOperation command, TimeProvider time)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Pure: only a planned operation is launched; it then counts in the local (Bishkek) year of its launch.</summary>
    public static Decision Decide(JointOperation operation, DateTimeOffset launchedAt, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (operation.Status == OperationStatus.Launched)
            return OperationRules.Refuse("operation", $"was already launched at {operation.LaunchedAt:O}", Title);
        return Decision.Append(new JointOperationLaunched(operation.Id, launchedAt.ToUniversalTime(),
            JointOperation.LocalDateOf(launchedAt), Calendar.LocalCalendar.CountryTimeZone, by, now));
    }

    /// <summary>Launch a planned joint operation. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/launch", OperationId = "launchJointOperation")]
    public static (IResult, Events) Post(LaunchJointOperation command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (launchedAt, _) = Check(command, now);
        return Decide(operation, launchedAt!.Value, by, now).Answer(operation);
    }
}
