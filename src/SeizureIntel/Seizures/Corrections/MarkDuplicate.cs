using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.Corrections;

/// <summary>
/// Mark this seizure as the same physical seizure as another one already in this store (e.g. recorded by both the
/// checkpoint and the investigator), so it is counted once: this one leaves the totals, the other stays.
/// </summary>
public sealed record MarkDuplicate(Guid? DuplicateOf, string? Reason);

/// <summary>The seizure a duplicate names, as read for the decision.</summary>
public sealed record Original(Seizure? Seizure);

public sealed record SeizureMarkedDuplicate(Guid SeizureId, Guid DuplicateOf, string DuplicateOfReference, string Reason, Actor By, DateTimeOffset At)
    : ISeizureEvent, IAttributedEvent;

/// <summary>
/// On the original's stream, in the same transaction as <see cref="SeizureMarkedDuplicate"/>: another seizure was
/// marked as its duplicate. Appended at the original's version as read, it locks the original: a concurrent change to
/// it (voiding it, marking it a duplicate in turn, two seizures marked as each other's duplicates) loses with 412,
/// and read again, is refused. It changes no figure (not an <see cref="ISeizureEvent"/>: nothing to share or count).
/// </summary>
public sealed record SeizureNamedOriginal(Guid SeizureId, Guid Duplicate, string DuplicateReference, Actor By, DateTimeOffset At) : IAttributedEvent;

/// <summary>Live (not voided) seizures of this store marked as duplicates of a seizure, as read for a decision.</summary>
public sealed record Duplicates(IReadOnlyList<string> References)
{
    public static async Task<Duplicates> OfAsync(IQuerySession session, Guid original, CancellationToken token) =>
        new(await session.Query<Seizure>().Where(s => s.DuplicateOf == original && !s.Voided).OrderBy(s => s.Reference)
            .Select(s => s.Reference).ToListAsync(token));
}

public static class MarkDuplicateEndpoint
{
    public const string Title = "The seizure was not marked as a duplicate";

    public static ProblemDetails Validate(Guid id, MarkDuplicate command)
    {
        if (command is null) return Problems.NoBody(Title);
        var problems = new Problems();
        if (command.DuplicateOf is null) problems.Fail("duplicateOf", "is required (the id of the seizure this one duplicates)");
        else if (command.DuplicateOf == id) problems.Fail("duplicateOf", "names this seizure itself");
        problems.RequireText("reason", command.Reason);
        return problems.Verdict(Title);
    }

    /// <summary>
    /// Pure: <paramref name="original"/> is the seizure named as the original, or null when this store has none;
    /// <paramref name="duplicates"/> the live seizures already marked as duplicates of this one.
    /// </summary>
    public static Decision Decide(Seizure seizure, Seizure? original, Duplicates duplicates, MarkDuplicate command, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.DuplicateOf is { } already)
            return Decision.Refuse(Problems.Refused("seizure", $"is already marked as a duplicate of {already}", Title));
        // A chain (C duplicate of this, this duplicate of B) would leave the physical seizure counted only through B,
        // and a cycle nowhere: an original stays an original while duplicates name it.
        if (duplicates.References.Count > 0)
            return Decision.Refuse(Problems.Refused("seizure",
                $"is the original of {string.Join(", ", duplicates.References)}; a seizure with duplicates cannot itself be marked a duplicate", Title));
        if (original is null)
            return Decision.Refuse(Problems.Refused("duplicateOf", $"no seizure {command.DuplicateOf} is in this store", Title));
        if (original.Voided)
            return Decision.Refuse(Problems.Refused("duplicateOf", $"{original.Reference} was voided; it cannot stand for this seizure", Title));
        if (original.DuplicateOf is { } root)
            return Decision.Refuse(Problems.Refused("duplicateOf", $"{original.Reference} is itself a duplicate of {root}; name that one", Title));
        return Decision.Append(new SeizureMarkedDuplicate(seizure.Id, original.Id, original.Reference, command.Reason!.Trim(), by, now));
    }

    /// <summary>The seizure named as the original, read before the decision (null: not in this store).</summary>
    public static async Task<Original> LoadAsync(MarkDuplicate command, IDocumentSession session, CancellationToken token) =>
        new(command.DuplicateOf is { } other ? await session.LoadAsync<Seizure>(other, token) : null);

    /// <summary>
    /// Mark a seizure as a duplicate of another, with a reason. Requires If-Match with the seizure's ETag. The original
    /// is locked in the same transaction (its stream moves on: its ETag changes), so that racing changes to the two
    /// cannot lose the physical seizure from the totals.
    /// </summary>
    [WolverinePost("/api/seizures/{id}/duplicate-of", OperationId = "markSeizureDuplicate")]
    public static async Task<(IResult, Events)> Post(Guid id, MarkDuplicate command, Original original, [Change] Seizure seizure, Actor by,
        TimeProvider time, IDocumentSession session, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var decision = Decide(seizure, original.Seizure, await Duplicates.OfAsync(session, seizure.Id, token), command, by, now);
        if (decision.Problem is null && original.Seizure is { Received: false } o)
            session.Events.Append(o.Id, o.Version + 1, new SeizureNamedOriginal(o.Id, seizure.Id, seizure.Reference, by, now));
        return decision.Answer(seizure);
    }
}
