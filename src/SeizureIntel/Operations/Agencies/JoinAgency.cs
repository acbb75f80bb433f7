using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Agencies;

/// <summary>An agency joins the operation (e.g. the Interior Ministry for the arrests).</summary>
public sealed record JoinAgency(string? Agency, string? Reason = null);

public static class JoinAgencyEndpoint
{
    public const string Title = "The agency did not join the joint operation";

    public static (string? Agency, string? Reason, Problems Problems) Check(JoinAgency command)
    {
        var problems = new Problems();
        var agency = problems.Agency("agency", command.Agency);
        var reason = OperationFields.OptionalText(problems, "reason", command.Reason);
        return (agency, reason, problems);
    }

    public static ProblemDetails Validate(JoinAgency command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, _, problems) = Check(command);
        return problems.Verdict(Title);
    }

    /// <summary>Pure: an agency joins a planned or running operation once.</summary>
    public static Decision Decide(JointOperation operation, string agency, string? reason, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (operation.Agencies.Contains(agency)) return OperationRules.Refuse("agency", $"{agency} already takes part", Title);
        return Decision.Append(new AgencyJoined(operation.Id, agency, reason, by, now));
    }

    /// <summary>Add a participating agency. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/agencies", OperationId = "joinJointOperation")]
    public static (IResult, Events) Post(JoinAgency command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time)
    {
        var (agency, reason, _) = Check(command);
        return Decide(operation, agency!, reason, by, time.GetUtcNow()).Answer(operation);
    }
}
