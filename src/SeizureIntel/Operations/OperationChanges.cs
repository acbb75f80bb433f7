using JasperFx;
using JasperFx.Events;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using JasperFx.CodeGeneration;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Operations;

/// <summary>What a pure use case decided about a change to an operation: the events to append, or why not.</summary>
public sealed record OperationDecision(IReadOnlyList<IOperationEvent> Events, ProblemDetails? Problem)
{
    public static OperationDecision Append(params IOperationEvent[] events) => new(events, null);
    public static OperationDecision Refuse(ProblemDetails problem) => new([], problem);
    public static OperationDecision Refuse(string field, string reason, string title) => Refuse(OperationProblems.Refused(field, reason, title));

    /// <summary>The common refusal: a concluded or cancelled operation takes no more changes.</summary>
    public static OperationDecision? RefuseIfClosed(JointOperation operation, string title) => operation.Status switch
    {
        OperationStatus.Concluded => Refuse("operation", $"was concluded at {operation.ConcludedAt:O}; it takes no more changes", title),
        OperationStatus.Cancelled => Refuse("operation", $"was cancelled ({operation.CancellationReason}); it takes no more changes", title),
        _ => null,
    };

    /// <summary>Seizures, arrests and cases belong to a running operation: refused while planned, concluded or cancelled.</summary>
    public static OperationDecision? RefuseUnlessLaunched(JointOperation operation, string title) =>
        RefuseIfClosed(operation, title) ?? (operation.Status == OperationStatus.Planned
            ? Refuse("operation", "is planned but not launched; launch it first (POST /api/operations/{id}/launch)", title)
            : null);
}

/// <summary>Refusals worded for operations, in the same RFC 9457 form as the seizures' (see <see cref="Problems"/>).</summary>
public static class OperationProblems
{
    public const string StateDetail = "The operation's current state does not allow this; nothing was written.";

    /// <summary>409: the request is well formed but the operation's current state refuses it.</summary>
    public static ProblemDetails Refused(string field, string reason, string title)
    {
        var problem = Problems.Refused(field, reason, title);
        problem.Detail = StateDetail;
        return problem;
    }

    public static ProblemDetails Refused(Problems problems, string title)
    {
        var problem = problems.Refused(title);
        problem.Detail = StateDetail;
        return problem;
    }

    public static IResult Unknown(Guid id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown joint operation", detail: $"No joint operation has the id {id}.");
}

/// <summary>
/// Operations keep the seizures' concurrency rule: the ETag is the stream version, every change sends it back in
/// If-Match (428 without it, 412 when stale). The header is parsed by <see cref="SeizureVersions"/>; only the
/// wording names the operation.
/// </summary>
public static class OperationVersions
{
    public static string ETag(long version) => SeizureVersions.ETag(version);

    public static (long? Version, ProblemDetails? Problem) Expected(HttpContext context)
    {
        var (version, problem) = SeizureVersions.Expected(context);
        if (problem?.Status == StatusCodes.Status428PreconditionRequired)
            problem.Detail = "Send the ETag of the operation you read (GET /api/operations/{id}) in If-Match; nothing was written.";
        return (version, problem);
    }

    public static ProblemDetails Stale(long expected, long actual) => new()
    {
        Status = StatusCodes.Status412PreconditionFailed,
        Title = "The joint operation has changed since you read it",
        Detail = $"If-Match names version {expected} but the operation is at version {actual}; read it again. Nothing was written.",
    };
}

/// <summary>The answer to a change: the operation's new version (also sent as the ETag).</summary>
public sealed record OperationChanged(Guid Id, long Version);

/// <summary>
/// Runs a change to an existing operation like <see cref="SeizureChanges"/> does for seizures: If-Match against the
/// stream version, a pure decision, one transaction for its events and the seizure links they imply, the new version.
/// Every writer of an operation's stream (these changes, recording or correcting a seizure into it) first locks the
/// stream's row (<see cref="LockAsync"/>), so they queue one behind the other instead of interleaving their writes.
/// </summary>
public static class OperationChanges
{
    /// <summary>
    /// Begins the session's transaction and locks the operations' stream rows in id order (so two requests locking the same
    /// operations cannot deadlock). A change to them by another request waits until this transaction ends, then finds the
    /// operation changed (412). Taken by every writer of an operation stream: two writers that each held part of what the
    /// other needed (the stream row, the inline snapshot row) could otherwise deadlock, and Marten's retry of the loser
    /// then failed on the stream version (500).
    /// </summary>
    public static async Task LockAsync(IDocumentSession session, IEnumerable<Guid> ids, CancellationToken token)
    {
        await session.BeginTransactionAsync(token);
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        foreach (var id in ids.Distinct().Order())
        {
            await using var lockRow = new NpgsqlCommand($"select 1 from {schema}.mt_streams where id = @id for update", session.Connection);
            lockRow.Parameters.AddWithValue("id", id);
            await lockRow.ExecuteNonQueryAsync(token);
        }
    }

    public static async Task<IResult> ApplyAsync(Guid id, HttpContext context, IDocumentSession session, IMessageBus bus,
        SharingOutbox sharing, Func<JointOperation, OperationDecision> decide, CancellationToken token)
    {
        var (expected, problem) = OperationVersions.Expected(context);
        if (problem is not null) return Results.Problem(problem);

        await LockAsync(session, [id], token);
        var stream = await session.Events.FetchForWriting<JointOperation>(id, token);
        if (stream.Aggregate is null) return OperationProblems.Unknown(id);
        if (stream.CurrentVersion != expected) return Results.Problem(OperationVersions.Stale(expected!.Value, stream.CurrentVersion ?? 0));

        if (stream.Aggregate.Received)
            return Results.Problem(OperationProblems.Refused("operation",
                $"is {stream.Aggregate.OriginAgency}'s operation, received over sharing; only {stream.Aggregate.OriginAgency} can change it", "Not this node's operation"));

        var decision = decide(stream.Aggregate);
        if (decision.Problem is not null) return Results.Problem(decision.Problem);

        stream.AppendMany(decision.Events.Cast<object>().ToArray());
        SeizureOperationLinks.Follow(session, decision.Events);
        // Its participants see the new state in the same transaction (Wolverine's durable outbox), and so does an
        // agency this change removed: its last update.
        await sharing.ShareAsync(stream.Aggregate, stream.Aggregate.After(decision.Events), session, bus, token);
        try
        {
            await session.SaveChangesAsync(token);
        }
        catch (Exception e) when (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            // Another change was appended between our read and our write; drop what we queued so the transactional
            // middleware's own save after this handler has nothing left to write.
            session.EjectAllPendingChanges();
            return Results.Problem(OperationVersions.Stale(expected!.Value, expected.Value + 1));
        }
        catch (DocumentAlreadyExistsException)
        {
            // A seizure was linked to another operation between our check and our write: its link row already exists.
            session.EjectAllPendingChanges();
            return Results.Problem(OperationProblems.Refused("seizureId", "was linked to another joint operation meanwhile; a seizure belongs to at most one",
                "The seizure was not linked"));
        }

        var version = expected!.Value + decision.Events.Count;
        context.Response.Headers.ETag = OperationVersions.ETag(version);
        return Results.Ok(new OperationChanged(id, version));
    }
}

/// <summary>
/// Documents a change endpoint's answers in the OpenAPI document: 200 with <see cref="OperationChanged"/>, and the
/// problem details of a state refusal (409), a stale If-Match (412) and a missing one (428).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OperationChangeResponsesAttribute : ModifyHttpChainAttribute
{
    public override void Modify(HttpChain chain, GenerationRules rules) => chain.Metadata.WithMetadata(
        new ProducesResponseTypeAttribute(typeof(OperationChanged), StatusCodes.Status200OK, "application/json"),
        new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status409Conflict, "application/problem+json"),
        new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status412PreconditionFailed, "application/problem+json"),
        new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status428PreconditionRequired, "application/problem+json"));
}
