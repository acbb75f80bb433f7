using Marten;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Ledger;

public sealed record ParkedEvents(int Count, IReadOnlyList<ParkedEvent> Events);

public static class GetParkedEventsEndpoint
{
    /// <summary>
    /// Events a projection could not apply and parked with their reason (oldest first, at most 200), so that it went on
    /// with the others: for supervisors to correct the seizure (or void it) and an operator to fix the cause. The
    /// figures leave out what a parked event would have changed; /health is degraded while any is parked.
    /// </summary>
    [WolverineGet("/api/projections/parked", OperationId = "getParkedEvents")]
    public static async Task<ParkedEvents> Get(IQuerySession session, CancellationToken token)
    {
        var count = await session.Query<ParkedEvent>().CountAsync(token);
        var events = await session.Query<ParkedEvent>().OrderBy(p => p.Sequence).Take(200).ToListAsync(token);
        return new ParkedEvents(count, events);
    }
}
