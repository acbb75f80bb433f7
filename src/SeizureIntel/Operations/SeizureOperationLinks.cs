using Marten;

namespace SeizureIntel.Operations;

/// <summary>
/// Which operation a seizure belongs to, one document per linked seizure (id: the seizure's id). It is written with
/// Insert in the same transaction as <see cref="SeizureLinked"/> and deleted with <see cref="SeizureUnlinked"/>, so
/// the primary key makes "a seizure belongs to at most one operation" hold even when two operations race for it.
/// </summary>
public sealed class SeizureOperationLink
{
    public Guid Id { get; set; }
    public Guid OperationId { get; set; }
    public DateTimeOffset LinkedAt { get; set; }
}

public static class SeizureOperationLinks
{
    /// <summary>Queues the link rows the events imply, in the session that appends them.</summary>
    public static void Follow(IDocumentSession session, IEnumerable<IOperationEvent> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case SeizureLinked linked:
                    session.Insert(new SeizureOperationLink { Id = linked.SeizureId, OperationId = linked.OperationId, LinkedAt = linked.At });
                    break;
                case SeizureUnlinked unlinked:
                    session.Delete<SeizureOperationLink>(unlinked.SeizureId);
                    break;
            }
        }
    }
}
