using SeizureIntel.Operations;
using JasperFx.Events;
using Marten;
using Marten.Events;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Intelligence.JointOperations;

/// <summary>Joint operations of one lead agency in a year's figures.</summary>
public sealed record LeadAgencyRow(string Agency, int Count, int Seizures, decimal Grams, int Arrests, int Cases);

/// <summary>
/// The joint operations a year counts: those launched in it (local date in Asia/Bishkek), still running or concluded;
/// cancelled ones count nowhere. Seizures: distinct linked seizures that count (not voided, not duplicates), whatever
/// their own date; grams: their best weights; arrests: the sum recorded; cases: distinct criminal cases opened.
/// </summary>
public sealed record JointOperationsYear(int Count, IReadOnlyList<LeadAgencyRow> ByLeadAgency, int Seizures, decimal Grams, int Arrests, int Cases)
{
    public static readonly JointOperationsYear None = new(0, [], 0, 0m, 0, 0);

    /// <summary>The operations <paramref name="agency"/> led (all of them when null): an agency's figures are its own operations.</summary>
    public JointOperationsYear LedBy(string? agency) => agency is null ? this
        : ByLeadAgency.FirstOrDefault(r => r.Agency == agency) is { } row
            ? new JointOperationsYear(row.Count, [row], row.Seizures, row.Grams, row.Arrests, row.Cases)
            : None;
}

/// <summary>
/// Computes <see cref="JointOperationsYear"/> when asked, from the operation documents (inline, always current) and
/// the ledger's <see cref="SeizureFact"/> documents (best substance and weight, whether a seizure counts) — or, with
/// an as-of instant, from the events recorded up to then, as the rest of the year summary does.
/// </summary>
public static class JointOperationYears
{
    public static async Task<JointOperationsYear> ComputeAsync(IQuerySession session, int year, DateTimeOffset? asOf,
        QuantityConverter converter, CancellationToken token)
    {
        var operations = asOf is { } cutOff
            ? await OperationsAsOfAsync(session, year, cutOff, token)
            : (await session.Query<JointOperation>().Where(o => o.CountedYear == year).ToListAsync(token)).ToList();
        if (operations.Count == 0) return JointOperationsYear.None;

        var ids = operations.SelectMany(o => o.Seizures).Select(s => s.SeizureId).Distinct().ToArray();
        var facts = asOf is { } at
            ? await LedgerReplay.FactsAsOfAsync(session, at, ids, converter, token)
            : (await session.LoadManyAsync<SeizureFact>(token, ids)).ToDictionary(f => f.Id);

        return Tally(operations, facts);
    }

    /// <summary>Pure: the figures of these operations, each seizure and each case counted once however often it appears.</summary>
    public static JointOperationsYear Tally(IReadOnlyCollection<JointOperation> operations, IReadOnlyDictionary<Guid, SeizureFact> facts)
    {
        (int Seizures, decimal Grams, int Cases) Sum(IEnumerable<JointOperation> ops)
        {
            var list = ops.ToList();
            var counted = list.SelectMany(o => o.Seizures).Select(s => s.SeizureId).Distinct()
                .Select(facts.GetValueOrDefault).OfType<SeizureFact>().Where(f => f.Counted).ToList();
            var cases = list.SelectMany(o => o.Cases).Select(c => (c.Agency, Number: c.CaseNumber.ToUpperInvariant())).Distinct().Count();
            return (counted.Count, counted.Sum(f => f.Grams ?? 0m), cases);
        }

        var byLead = operations.GroupBy(o => o.LeadAgency).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var (seizures, grams, cases) = Sum(g);
            return new LeadAgencyRow(g.Key, g.Count(), seizures, grams, g.Sum(o => o.ArrestCount), cases);
        }).ToList();
        var (allSeizures, allGrams, allCases) = Sum(operations);
        return new JointOperationsYear(operations.Count, byLead, allSeizures, allGrams, operations.Sum(o => o.ArrestCount), allCases);
    }

    /// <summary>
    /// Every operation as it stood at <paramref name="asOf"/>, folded from its events up to then, that counted in the year:
    /// this node's own (launched by then) and partners' received by then (their launch comes inside the received state, as
    /// the live figures read it from the snapshot; their copy counts while it lists our agency).
    /// </summary>
    private static async Task<List<JointOperation>> OperationsAsOfAsync(IQuerySession session, int year, DateTimeOffset asOf, CancellationToken token)
    {
        asOf = asOf.ToUniversalTime(); // Npgsql writes timestamptz parameters only in UTC
        var launched = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(JointOperationLaunched), typeof(PartnerOperationReceived)) && e.Timestamp <= asOf)
            .Select(e => e.StreamId)
            .ToListAsync(token);
        var operations = new List<JointOperation>();
        foreach (var id in launched.Distinct())
            if (await session.Events.AggregateStreamAsync<JointOperation>(id, timestamp: asOf, token: token) is { CountedYear: { } y } o && y == year)
                operations.Add(o);
        return operations;
    }
}
