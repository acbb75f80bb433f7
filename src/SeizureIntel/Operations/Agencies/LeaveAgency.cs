using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Operations.Agencies;

/// <summary>An agency leaves the operation, with a reason.</summary>
public sealed record LeaveAgency(string? Reason);

public static class LeaveAgencyEndpoint
{
    public const string Title = "The agency did not leave the joint operation";

    public static (string? Agency, Problems Problems) Check(string agency, LeaveAgency command)
    {
        var problems = new Problems();
        var code = OperationFields.Agency(problems, "agency", agency);
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
    public static OperationDecision Decide(JointOperation operation, string agency, string reason, Actor by, DateTimeOffset now)
    {
        if (OperationDecision.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (!operation.Agencies.Contains(agency)) return OperationDecision.Refuse("agency", $"{agency} does not take part", Title);
        if (agency == operation.LeadAgency) return OperationDecision.Refuse("agency", $"{agency} leads the operation and cannot leave it", Title);
        var linked = operation.Seizures.Where(s => s.Agency == agency).Select(s => s.Reference).ToList();
        if (linked.Count > 0)
            return OperationDecision.Refuse("agency", $"{agency}'s seizures {string.Join(", ", linked)} are linked; unlink them first", Title);
        return OperationDecision.Append(new AgencyLeft(operation.Id, agency, reason, by, now));
    }

    /// <summary>Remove a participating agency (not the lead), with a reason. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/agencies/{agency}/leave", OperationId = "leaveJointOperation")]
    [OperationChangeResponses]
    public static Task<IResult> Post(Guid id, string agency, LeaveAgency command, NodeIdentity node, HttpContext context,
        IDocumentSession session, IMessageBus bus, SharingOutbox sharing, TimeProvider time, CancellationToken token)
    {
        var (code, _) = Check(agency, command);
        return OperationChanges.ApplyAsync(id, context, session, bus, sharing,
            op => Decide(op, code!, command.Reason!.Trim(), Actor.From(context, node), time.GetUtcNow()), token);
    }
}
