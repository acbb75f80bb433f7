using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Operations.Linking;

/// <summary>Link a seizure recorded in this store (by id) to the operation.</summary>
public sealed record LinkSeizure(Guid? SeizureId);

public static class LinkSeizureEndpoint
{
    public const string Title = "The seizure was not linked";
    public const string ViaLink = "link";
    public const string ViaRecording = "recording";

    public static ProblemDetails Validate(LinkSeizure command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var problems = new Problems();
        if (command.SeizureId is null || command.SeizureId == Guid.Empty) problems.Fail("seizureId", "is required (the id of a seizure in this store)");
        return problems.Verdict(Title);
    }

    /// <summary>
    /// Pure: a running operation takes a counted seizure of one of its agencies, not yet linked to any operation.
    /// <paramref name="seizure"/> is the seizure named (null when this store has none), <paramref name="link"/> its
    /// current link row (null when it belongs to no operation).
    /// </summary>
    public static OperationDecision Decide(JointOperation operation, Guid seizureId, Seizure? seizure, SeizureOperationLink? link,
        string via, Actor by, DateTimeOffset now)
    {
        if (OperationDecision.RefuseUnlessLaunched(operation, Title) is { } refused) return refused;
        if (seizure is null) return OperationDecision.Refuse("seizureId", $"no seizure {seizureId} is in this store", Title);
        if (seizure.Voided) return OperationDecision.Refuse("seizureId", $"{seizure.Reference} was voided ({seizure.VoidReason})", Title);
        if (seizure.DuplicateOf is { } original)
            return OperationDecision.Refuse("seizureId", $"{seizure.Reference} is a duplicate of {original}; link that one", Title);
        if (!operation.Agencies.Contains(seizure.Agency))
            return OperationDecision.Refuse("seizureId",
                $"{seizure.Reference} is a seizure of {seizure.Agency}, which does not take part (participants: {string.Join(", ", operation.Agencies)})", Title);
        if (operation.Links(seizure.Id) || link?.OperationId == operation.Id)
            return OperationDecision.Refuse("seizureId", $"{seizure.Reference} is already linked to this operation", Title);
        if (link is not null)
            return OperationDecision.Refuse("seizureId", $"{seizure.Reference} belongs to joint operation {link.OperationId}; a seizure belongs to at most one", Title);
        return OperationDecision.Append(new SeizureLinked(operation.Id, seizure.Id, seizure.Reference, seizure.Agency, via, by, now));
    }

    /// <summary>Link a seizure to a launched joint operation. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/seizures", OperationId = "linkSeizureToJointOperation")]
    [OperationChangeResponses]
    public static async Task<IResult> Post(Guid id, LinkSeizure command, NodeIdentity node, HttpContext context, IDocumentSession session, IMessageBus bus, SharingOutbox sharing,
        TimeProvider time, CancellationToken token)
    {
        var seizureId = command.SeizureId!.Value;
        var seizure = await session.LoadAsync<Seizure>(seizureId, token);
        var link = await session.LoadAsync<SeizureOperationLink>(seizureId, token);
        return await OperationChanges.ApplyAsync(id, context, session, bus, sharing,
            op => Decide(op, seizureId, seizure, link, ViaLink, Actor.From(context, node), time.GetUtcNow()), token);
    }
}
