using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Npgsql;
using SeizureIntel.Seizures;
using SeizureIntel.Operations;

namespace SeizureIntel.Linking;

/// <summary>
/// Which operation a seizure belongs to, one document per linked seizure (id: the seizure's id), kept by
/// <see cref="SeizureOperationLinkProjection"/> in the same transaction as <see cref="SeizureLinked"/> and
/// <see cref="SeizureUnlinked"/>. Every writer of a link takes the seizure's link lock first
/// (<see cref="SeizureOperationLinks.LockAsync"/>), so "a seizure belongs to at most one operation" holds when two
/// operations race for it.
/// </summary>
public sealed class SeizureOperationLink
{
    public Guid Id { get; set; }
    public Guid OperationId { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
}

public static class SeizureOperationLinks
{
    /// <summary>
    /// Locks one seizure's link for the rest of the transaction (an advisory lock on its id), after the operations' rows:
    /// two operations racing for the same seizure queue, and the second finds it linked and is refused with a reason.
    /// </summary>
    public static async Task LockAsync(IDocumentSession session, Guid seizureId, CancellationToken token)
    {
        await session.BeginTransactionAsync(token);
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@key, 0))", session.Connection);
        command.Parameters.AddWithValue("key", $"seizureintel:operation-link:{seizureId}");
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>How the link rows join the store: one document per linked seizure, its primary key the seizure's id.</summary>
    public static void AddSeizureOperationLinks(this WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IOperationLinks, OperationLinks>()
            .ConfigureMarten(opts => opts.Projections.Add(new SeizureOperationLinkProjection(), ProjectionLifecycle.Inline));
}

/// <summary>The link rows follow the operations' link events, inline: written with the event, rebuilt from the events.</summary>
public sealed partial class SeizureOperationLinkProjection : EventProjection
{
    public SeizureOperationLink Create(SeizureLinked e) => new() { Id = e.SeizureId, OperationId = e.OperationId, LinkedAt = e.At };

    public void Project(SeizureUnlinked e, IDocumentOperations operations) => operations.Delete<SeizureOperationLink>(e.SeizureId);
}
