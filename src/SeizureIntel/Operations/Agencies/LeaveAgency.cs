using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Agencies;

/// <summary>An agency leaves the operation, with a reason.</summary>
public sealed record LeaveAgency(string? Reason);

public static class LeaveAgencyEndpoint
{
    public const string Title = "The agency did not leave the joint operation";

    public static (string? Agency, Problems Problems) Check(string agency, LeaveAgency command)
    {
        var problems = new Problems();
        var code = problems.Agency("agency", agency);
        problems.RequireText("reason", command.Reason);
        return (code, problems);
    }

    public static ProblemDetails Validate(string agency, LeaveAgency command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(agency, command);
        return problems.Verdict(Title);
    }

    /// <summary>Pure: a participant other than the lead leaves, once none of its seizures is linked any more.</summary>
    public static Decision Decide(JointOperation operation, string agency, string reason, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (!operation.Agencies.Contains(agency)) return OperationRules.Refuse("agency", $"{agency} does not take part", Title);
        if (agency == operation.LeadAgency) return OperationRules.Refuse("agency", $"{agency} leads the operation and cannot leave it", Title);
        var linked = operation.Seizures.Where(s => s.Agency == agency).Select(s => s.Reference).ToList();
        if (linked.Count > 0)
            return OperationRules.Refuse("agency", $"{agency}'s seizures {string.Join(", ", linked)} are linked; unlink them first", Title);
        return Decision.Append(new AgencyLeft(operation.Id, agency, reason, by, now));
    }

    /// <summary>Remove a participating agency (not the lead), with a reason. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/agencies/{agency}/leave", OperationId = "leaveJointOperation")]
    public static (IResult, Events) Post(string agency, LeaveAgency command, [Change(Exclusive = true)] JointOperation operation, Actor by,
        TimeProvider time)
    {
        var (code, _) = Check(agency, command);
        return Decide(operation, code!, command.Reason!.Trim(), by, time.GetUtcNow()).Answer(operation);
    }
}
