using Marten;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// The ledger as it stood at an instant, recomputed from the events recorded up to then (not from today's read
/// models): what a report "as at" a cut-off date must show, whatever was corrected afterwards.
/// </summary>
public static class LedgerReplay
{
    public static async Task<IReadOnlyCollection<SeizureFact>> FactsAsOfAsync(
        IQuerySession session, DateTimeOffset asOf, QuantityConverter converter, CancellationToken token) =>
        (await FactsAsOfAsync(session, asOf, null, converter, token)).Values;

    /// <summary>The facts of the seizures <paramref name="ids"/> only (all of them when null), by seizure id.</summary>
    public static async Task<Dictionary<Guid, SeizureFact>> FactsAsOfAsync(
        IQuerySession session, DateTimeOffset asOf, Guid[]? ids, QuantityConverter converter, CancellationToken token)
    {
        // Npgsql writes timestamptz parameters only in UTC: an asOf given with +06:00 is the same instant in UTC.
        var cutOff = asOf.ToUniversalTime();
        var query = session.Events.QueryAllRawEvents().Where(e => e.Timestamp <= cutOff);
        if (ids is not null) query = query.Where(e => ids.Contains(e.StreamId));
        var events = await query.OrderBy(e => e.Sequence).ToListAsync(token);

        var facts = new Dictionary<Guid, SeizureFact>();
        foreach (var e in events.Where(e => e.Data is ISeizureEvent))
        {
            if (!facts.TryGetValue(e.StreamId, out var fact)) facts[e.StreamId] = fact = new SeizureFact { Id = e.StreamId };
            fact.Apply(e.Data, converter);
        }
        return facts;
    }
}
