using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Operations.Agencies;

/// <summary>An agency joins the operation (e.g. the Interior Ministry for the arrests).</summary>
public sealed record JoinAgency(string? Agency, string? Reason = null);

public static class JoinAgencyEndpoint
{
    public const string Title = "The agency did not join the joint operation";

    public static (string? Agency, string? Reason, Problems Problems) Check(JoinAgency command)
    {
        var problems = new Problems();
        var agency = OperationFields.Agency(problems, "agency", command.Agency);
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
    public static OperationDecision Decide(JointOperation operation, string agency, string? reason, Actor by, DateTimeOffset now)
    {
        if (OperationDecision.RefuseIfClosed(operation, Title) is { } closed) return closed;
        if (operation.Agencies.Contains(agency)) return OperationDecision.Refuse("agency", $"{agency} already takes part", Title);
        return OperationDecision.Append(new AgencyJoined(operation.Id, agency, reason, by, now));
    }

    /// <summary>Add a participating agency. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/agencies", OperationId = "joinJointOperation")]
    [OperationChangeResponses]
    public static Task<IResult> Post(Guid id, JoinAgency command, NodeIdentity node, HttpContext context, IDocumentSession session, IMessageBus bus, SharingOutbox sharing,
        TimeProvider time, CancellationToken token)
    {
        var (agency, reason, _) = Check(command);
        return OperationChanges.ApplyAsync(id, context, session, bus, sharing, op => Decide(op, agency!, reason, Actor.From(context, node), time.GetUtcNow()), token);
    }
}
