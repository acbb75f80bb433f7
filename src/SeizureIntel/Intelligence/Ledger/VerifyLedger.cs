using System.Globalization;
using JasperFx.Events;
using Marten;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Quantities;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>One read-model document whose stored figures differ from the figures recomputed from the events.</summary>
public sealed record LedgerDifference(string ReadModel, string Id, string Expected, string Stored);

/// <summary>The ledger checked against its events, up to the event the projection has applied.</summary>
public sealed record LedgerVerification(long UpToEvent, int Seizures, int YearSummaries, bool Consistent, IReadOnlyList<LedgerDifference> Differences);

/// <summary>
/// The ledger proves itself: it folds every seizure's facts again from the events the SeizureLedger projection has
/// applied (skipping the events it parked), recomputes each year's totals (all agencies and per agency) from them,
/// and compares both with the stored read models. A difference means a read model drifted from its events (a bug, a
/// hand edit, a lost batch): rebuild it (<c>projections rebuild</c>) after finding the cause.
/// </summary>
public static class VerifyLedger
{
    public const int MaxDifferences = 100;

    public static async Task<LedgerVerification> RunAsync(IDocumentStore store, ReferenceData reference, QuantityConverter converter, CancellationToken token)
    {
        var shards = await store.Advanced.AllProjectionProgress(token: token);
        var upTo = shards.Where(s => s.ShardName.StartsWith(SeizureLedgerProjection.Name, StringComparison.Ordinal)).Select(s => s.Sequence).DefaultIfEmpty(0).Max();
        await using var session = store.QuerySession();
        var parked = (await session.Query<ParkedEvent>().Select(p => p.Sequence).ToListAsync(token)).ToHashSet();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence <= upTo).OrderBy(e => e.Sequence).ToListAsync(token);

        var facts = new Dictionary<Guid, SeizureFact>();
        foreach (var e in events.Where(e => e.Data is ISeizureEvent && !parked.Contains(e.Sequence)))
        {
            if (!facts.TryGetValue(e.StreamId, out var fact)) facts[e.StreamId] = fact = new SeizureFact { Id = e.StreamId };
            fact.Apply(e.Data, converter);
        }

        var differences = new List<LedgerDifference>();
        var stored = (await session.Query<SeizureFact>().ToListAsync(token)).ToDictionary(f => f.Id);
        foreach (var id in facts.Keys.Union(stored.Keys))
        {
            var expected = facts.GetValueOrDefault(id)?.Contribution(reference);
            var actual = stored.GetValueOrDefault(id)?.Contribution(reference);
            if (expected != actual) differences.Add(new LedgerDifference("SeizureFact", id.ToString(), Describe(expected), Describe(actual)));
        }

        var summaries = await session.Query<YearSummary>().ToListAsync(token);
        var keys = summaries.Select(s => (s.Year, s.Agency))
            .Union(facts.Values.Where(f => f.Counted).SelectMany(f => new[] { (f.LocalDate.Year, (string?)null), (f.LocalDate.Year, f.Agency) }))
            .ToList();
        foreach (var (year, agency) in keys)
        {
            var expected = YearSummary.From(facts.Values, year, agency, reference).Total;
            var actual = summaries.FirstOrDefault(s => s.Year == year && s.Agency == agency)?.Total ?? new Tally();
            if (Describe(expected) != Describe(actual))
                differences.Add(new LedgerDifference("YearSummary", YearSummary.IdFor(year, agency), Describe(expected), Describe(actual)));
        }
        var verification = new LedgerVerification(upTo, facts.Count, keys.Count, differences.Count == 0, differences.Take(MaxDifferences).ToList());
        Last[store.Options.Events.DatabaseSchemaName] = verification;
        return verification;
    }

    /// <summary>The latest verification of each store (by schema) in this process, for /health.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LedgerVerification> Last = new();

    private static string Describe(Contribution? c) => c is null
        ? "not counted"
        : string.Create(CultureInfo.InvariantCulture, $"{c.Agency} {c.FacilityId} {c.Year}-{c.Month:D2} {c.Substance} {c.Detection} {c.Grams} g (lab {c.LabConfirmedGrams})");

    private static string Describe(Tally t) =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Count} seizures, {Tally.Canonical(t.Grams)} g, lab {Tally.Canonical(t.LabConfirmedGrams)} g, {t.WithoutMass} without mass");

    /// <summary>
    /// Recompute the ledger from the events and compare it with the stored read models (seizure facts and year
    /// totals): consistent, or each difference with what the events give and what is stored.
    /// </summary>
    [WolverineGet("/api/projections/verify", OperationId = "verifyProjections")]
    public static Task<LedgerVerification> Get(IDocumentStore store, ReferenceData reference, QuantityConverter converter, CancellationToken token) =>
        RunAsync(store, reference, converter, token);
}
