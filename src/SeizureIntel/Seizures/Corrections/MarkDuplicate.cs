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

    /// <summary>Pure: <paramref name="original"/> is the seizure named as the original, or null when this store has none.</summary>
    public static Decision Decide(Seizure seizure, Seizure? original, MarkDuplicate command, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.DuplicateOf is { } already)
            return Decision.Refuse(Problems.Refused("seizure", $"is already marked as a duplicate of {already}", Title));
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

    /// <summary>Mark a seizure as a duplicate of another, with a reason. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/duplicate-of", OperationId = "markSeizureDuplicate")]
    public static (IResult, Events) Post(MarkDuplicate command, Original original, [Change] Seizure seizure, Actor by, TimeProvider time) =>
        Decide(seizure, original.Seizure, command, by, time.GetUtcNow()).Answer(seizure);
}
