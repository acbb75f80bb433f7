using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;
using Wolverine.Marten;
namespace SeizureIntel.Linking;

/// <summary>Link a seizure recorded in this store (by id) to the operation.</summary>
public sealed record LinkSeizure(Guid? SeizureId);

/// <summary>The seizure a link names (null: not in this store) and the operation it belongs to (null: none).</summary>
public sealed record Linkable(Seizure? Seizure, SeizureOperationLink? Link);

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
    public static Decision Decide(JointOperation operation, Guid seizureId, Seizure? seizure, SeizureOperationLink? link,
        string via, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseUnlessLaunched(operation, Title) is { } refused) return refused;
        if (seizure is null) return OperationRules.Refuse("seizureId", $"no seizure {seizureId} is in this store", Title);
        if (seizure.Voided) return OperationRules.Refuse("seizureId", $"{seizure.Reference} was voided ({seizure.VoidReason})", Title);
        if (seizure.DuplicateOf is { } original)
            return OperationRules.Refuse("seizureId", $"{seizure.Reference} is a duplicate of {original}; link that one", Title);
        if (!operation.Agencies.Contains(seizure.Agency))
            return OperationRules.Refuse("seizureId",
                $"{seizure.Reference} is a seizure of {seizure.Agency}, which does not take part (participants: {string.Join(", ", operation.Agencies)})", Title);
        if (operation.Links(seizure.Id) || link?.OperationId == operation.Id)
            return OperationRules.Refuse("seizureId", $"{seizure.Reference} is already linked to this operation", Title);
        if (link is not null)
            return OperationRules.Refuse("seizureId", $"{seizure.Reference} belongs to joint operation {link.OperationId}; a seizure belongs to at most one", Title);
        return Decision.Append(new SeizureLinked(operation.Id, seizure.Id, seizure.Reference, seizure.Agency, via, by, now));
    }

    /// <summary>Link a seizure to a launched joint operation. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/seizures", OperationId = "linkSeizureToJointOperation")]
    public static (IResult, Events) Post(LinkSeizure command, [Change(Exclusive = true)] JointOperation operation, Linkable seizure, Actor by,
        TimeProvider time) =>
        Decide(operation, command.SeizureId!.Value, seizure.Seizure, seizure.Link, ViaLink, by, time.GetUtcNow()).Answer(operation);

    /// <summary>The seizure named and its current link, read under the seizure's link lock (after the operation's row lock).</summary>
    public static async Task<Linkable> LoadAsync(LinkSeizure command, IDocumentSession session, CancellationToken token)
    {
        var seizureId = command.SeizureId!.Value;
        await SeizureOperationLinks.LockAsync(session, seizureId, token);
        return new Linkable(await session.LoadAsync<Seizure>(seizureId, token), await session.LoadAsync<SeizureOperationLink>(seizureId, token));
    }
}
