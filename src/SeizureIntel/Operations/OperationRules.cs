using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Operations;

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
}

/// <summary>The decisions every operation use case shares: a refusal worded for operations, closed and not-yet-running operations.</summary>
public static class OperationRules
{
    public static Decision Refuse(string field, string reason, string title) => Decision.Refuse(OperationProblems.Refused(field, reason, title));

    /// <summary>The common refusal: a concluded or cancelled operation takes no more changes.</summary>
    public static Decision? RefuseIfClosed(JointOperation operation, string title) =>
        operation.ClosedBecause is { } closed ? Refuse("operation", $"{closed}; it takes no more changes", title) : null;

    /// <summary>Seizures, arrests and cases belong to a running operation: refused while planned, concluded or cancelled.</summary>
    public static Decision? RefuseUnlessLaunched(JointOperation operation, string title) =>
        RefuseIfClosed(operation, title) ?? (operation.Status == OperationStatus.Planned
            ? Refuse("operation", "is planned but not launched; launch it first (POST /api/operations/{id}/launch)", title)
            : null);

    /// <summary>
    /// Begins the session's transaction and locks the operations' stream rows in id order (so two requests locking the same
    /// operations cannot deadlock), the way Marten's exclusive fetch for writing locks the one stream a change endpoint
    /// decides on. Taken by every writer of an operation stream that is not that stream's own change endpoint (recording or
    /// correcting a seizure into it): they queue one behind the other instead of interleaving their writes.
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
}
