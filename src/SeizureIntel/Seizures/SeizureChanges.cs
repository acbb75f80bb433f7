using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Node;
using SeizureIntel.Sharing.Publishing;
using Wolverine;

namespace SeizureIntel.Seizures;

/// <summary>What a pure handler decided about a change to a seizure: the events to append, or why not.</summary>
public sealed record Decision(IReadOnlyList<ISeizureEvent> Events, ProblemDetails? Problem)
{
    /// <summary>Events for joint operations' streams that the change implies (a correction to or from joint-operation), written with it.</summary>
    public IReadOnlyList<Operations.IOperationEvent> OperationEvents { get; init; } = [];

    public static Decision Append(params ISeizureEvent[] events) => new(events, null);
    public static Decision Refuse(ProblemDetails problem) => new([], problem);

    /// <summary>The common refusal: a voided seizure takes no further change.</summary>
    public static Decision? RefuseIfVoided(Seizure seizure, string title) => seizure.Voided
        ? Refuse(Problems.Refused("seizure", $"was voided ({seizure.VoidReason}); its stream stays for the record but takes no change", title))
        : null;
}

/// <summary>The answer to a change: the seizure's new version (also sent as the ETag).</summary>
public sealed record SeizureChanged(Guid Id, long Version);

/// <summary>
/// Runs a change to an existing seizure: checks If-Match against the stream version, lets the use case's pure
/// decision choose events, appends them (and any operation events it implies, through <c>alongside</c>) in one transaction, and
/// answers with the new version. A change that
/// races another one after the check is refused by Marten's optimistic concurrency and answered 412 too.
/// </summary>
public static class SeizureChanges
{
    public static async Task<IResult> ApplyAsync(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus,
        SharingOutbox sharing, Func<Seizure, Decision> decide, CancellationToken token,
        Func<Decision, Task>? alongside = null)
    {
        var (expected, problem) = SeizureVersions.Expected(context);
        if (problem is not null) return Results.Problem(problem);

        var stream = await session.Events.FetchForWriting<Seizure>(id, token);
        if (stream.Aggregate is null) return Unknown(id);
        if (stream.CurrentVersion != expected) return Results.Problem(SeizureVersions.Stale(expected!.Value, stream.CurrentVersion ?? 0));

        var decision = decide(stream.Aggregate);
        if (decision.Problem is not null) return Results.Problem(decision.Problem);

        if (stream.Aggregate.Received)
            return Results.Problem(Problems.Refused("seizure",
                $"is {stream.Aggregate.Agency}'s record, received over sharing; only {stream.Aggregate.Agency} can change it", "Not this node's record"));

        stream.AppendMany(decision.Events.Cast<object>().ToArray());
        // What else the change implies (its operations' link events) goes into the same transaction.
        if (alongside is not null) await alongside(decision);
        // Partners see the new state in the same transaction as the events (Wolverine's durable outbox).
        var after = stream.Aggregate.After(decision.Events);
        await sharing.ShareAsync(after, session, bus, token);
        try
        {
            await session.SaveChangesAsync(token);
        }
        catch (Exception e) when (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            // Another change was appended between our read and our write. Drop what we queued, so that the
            // transactional middleware's own save after this handler has nothing left to write.
            session.EjectAllPendingChanges();
            return Results.Problem(SeizureVersions.Stale(expected!.Value, expected.Value + 1));
        }
        catch (DocumentAlreadyExistsException)
        {
            // The only document a seizure change inserts is an operation link row: another request linked the seizure meanwhile.
            session.EjectAllPendingChanges();
            return Results.Problem(Problems.Refused("operationId",
                "the seizure was linked to a joint operation meanwhile; a seizure belongs to at most one. Read it again", "The seizure was not changed"));
        }

        var version = expected!.Value + decision.Events.Count;
        context.Response.Headers.ETag = SeizureVersions.ETag(version);
        return Results.Ok(new SeizureChanged(id, version));
    }

    public static IResult Unknown(Guid id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown seizure", detail: $"No seizure has the id {id}.");

    public static Actor ActorOf(HttpContext context, NodeIdentity node) => Actor.From(context, node);
}
