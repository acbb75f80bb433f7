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

/// <summary>
/// Every read model checked against its events: the ledger's up to the event its projection has applied, the inline
/// snapshots against their streams. <see cref="Checked"/>: how many documents of each read model were compared.
/// </summary>
public sealed record LedgerVerification(long UpToEvent, int Seizures, int YearSummaries, bool Consistent, IReadOnlyList<LedgerDifference> Differences,
    IReadOnlyDictionary<string, int>? Checked = null);

/// <summary>
/// The ledger proves itself: it folds every seizure's facts again from the events the SeizureLedger projection has
/// applied (skipping the events it parked), recomputes every total it keeps from them (year totals for all agencies
/// and per agency, facility and facility-year summaries, monthly buckets) and compares each with the stored read
/// model; and it folds every stream of the inline snapshots (seizures, joint operations, effort records,
/// interventions) and the seizure-operation links again and compares them with the stored documents. A difference
/// means a read model drifted from its events (a bug, a hand edit, a lost batch, an event committed late into a
/// sequence gap the daemon had already skipped): heal it (<c>POST /api/projections/heal</c>, or <c>projections
/// rebuild</c> while no node's daemon runs) after finding the cause.
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
        var all = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync(token);
        var events = all.Where(e => e.Sequence <= upTo).ToList();

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

        var counted = facts.Values.Select(f => (Fact: f, Contribution: f.Contribution(reference))).Where(x => x.Contribution is not null)
            .Select(x => (x.Fact, Contribution: x.Contribution!)).ToList();
        var years = await CompareTotalsAsync(session, counted, differences, c => [YearSummary.IdFor(c.Year), YearSummary.IdFor(c.Year, c.Agency)],
            (id, c) => new YearSummary { Id = id, Year = c.Year, Agency = id.Contains('/') ? c.Agency : null }, token);
        var checkedCounts = new Dictionary<string, int> { [nameof(SeizureFact)] = facts.Keys.Union(stored.Keys).Count(), [nameof(YearSummary)] = years };
        checkedCounts[nameof(FacilitySummaries.FacilitySummary)] = await CompareTotalsAsync(session, counted, differences,
            c => c.FacilityId is null ? [] : [c.FacilityId], (id, c) => new FacilitySummaries.FacilitySummary { Id = id }, token);
        checkedCounts[nameof(FacilitySummaries.FacilityYearSummary)] = await CompareTotalsAsync(session, counted, differences,
            c => c.FacilityId is null ? [] : [FacilitySummaries.FacilityYearSummary.IdFor(c.FacilityId, c.Year)],
            (id, c) => new FacilitySummaries.FacilityYearSummary { Id = id, FacilityId = c.FacilityId!, Year = c.Year }, token);
        checkedCounts[nameof(Trends.MonthlyBucket)] = await CompareTotalsAsync(session, counted, differences,
            c => [Trends.MonthlyBucket.IdFor(c)], (_, c) => Trends.MonthlyBucket.For(c), token);

        // The inline snapshots: each stored document against its stream folded again; every seizure stream has one.
        checkedCounts[nameof(Seizure)] = await CompareSnapshotsAsync<Seizure>(session, s => s.Id, facts.Keys, differences, token);
        checkedCounts[nameof(Operations.JointOperation)] = await CompareSnapshotsAsync<Operations.JointOperation>(session, o => o.Id, [], differences, token);
        checkedCounts[nameof(Effort.EffortRecord)] = await CompareSnapshotsAsync<Effort.EffortRecord>(session, e => e.Id, [], differences, token);
        checkedCounts[nameof(Interventions.Intervention)] = await CompareSnapshotsAsync<Interventions.Intervention>(session, i => i.Id, [], differences, token);
        checkedCounts[nameof(Linking.SeizureOperationLink)] = CompareLinks(all, await session.Query<Linking.SeizureOperationLink>().ToListAsync(token), differences);

        var verification = new LedgerVerification(upTo, facts.Count, years, differences.Count == 0, differences.Take(MaxDifferences).ToList(), checkedCounts);
        Last[store.Options.Events.DatabaseSchemaName] = verification;
        return verification;
    }

    /// <summary>The latest verification of each store (by schema) in this process, for /health.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, LedgerVerification> Last = new();

    /// <summary>
    /// One kind of total recomputed from the counted facts (each contribution added to the documents <paramref name="keys"/>
    /// names, as the projection adds it) and compared, document by document, with the stored ones. Numbers are compared
    /// by value (a total that went up and down again may keep trailing zeros). Returns how many documents were compared.
    /// </summary>
    private static async Task<int> CompareTotalsAsync<T>(IQuerySession session, List<(SeizureFact Fact, Contribution Contribution)> counted,
        List<LedgerDifference> differences, Func<Contribution, string[]> keys, Func<string, Contribution, T> create, CancellationToken token)
        where T : Summary
    {
        var expected = new Dictionary<string, T>();
        foreach (var (_, c) in counted)
            foreach (var key in keys(c))
            {
                if (!expected.TryGetValue(key, out var doc)) expected[key] = doc = create(key, c);
                doc.Add(c, +1);
                if (doc is ITracksLastSeizure t && (t.LastSeizureAt is null || t.LastSeizureAt < c.OccurredAt)) t.LastSeizureAt = c.OccurredAt;
            }
        var stored = (await session.Query<T>().ToListAsync(token)).ToDictionary(d => d.Id);
        var serializer = session.DocumentStore.Options.Serializer();
        var ids = expected.Keys.Union(stored.Keys).ToList();
        foreach (var id in ids)
        {
            var want = expected.GetValueOrDefault(id);
            var have = stored.GetValueOrDefault(id);
            var wantJson = want is null ? "missing" : serializer.ToJson(want);
            var haveJson = have is null ? "missing" : serializer.ToJson(have);
            if (!SameJson(wantJson, haveJson)) differences.Add(new LedgerDifference(typeof(T).Name, id, Shorten(wantJson), Shorten(haveJson)));
        }
        return ids.Count;
    }

    /// <summary>Each stored snapshot against its stream folded again, plus the streams that must have one and have none.</summary>
    private static async Task<int> CompareSnapshotsAsync<T>(IQuerySession session, Func<T, Guid> idOf, IEnumerable<Guid> mustExist,
        List<LedgerDifference> differences, CancellationToken token) where T : class
    {
        var stored = (await session.Query<T>().ToListAsync(token)).ToDictionary(idOf);
        var serializer = session.DocumentStore.Options.Serializer();
        var ids = stored.Keys.Union(mustExist).ToList();
        foreach (var id in ids)
        {
            var folded = await session.Events.AggregateStreamAsync<T>(id, token: token);
            var wantJson = folded is null ? "missing" : serializer.ToJson(folded);
            var haveJson = stored.TryGetValue(id, out var have) ? serializer.ToJson(have) : "missing";
            if (!SameJson(wantJson, haveJson)) differences.Add(new LedgerDifference(typeof(T).Name, id.ToString(), Shorten(wantJson), Shorten(haveJson)));
        }
        return ids.Count;
    }

    /// <summary>The seizure-operation links against the link and unlink events, in order.</summary>
    private static int CompareLinks(IReadOnlyList<IEvent> events, IReadOnlyList<Linking.SeizureOperationLink> links, List<LedgerDifference> differences)
    {
        var expected = new Dictionary<Guid, Guid>();
        foreach (var e in events)
            switch (e.Data)
            {
                case Operations.SeizureLinked l: expected[l.SeizureId] = l.OperationId; break;
                case Operations.SeizureUnlinked u: expected.Remove(u.SeizureId); break;
            }
        var stored = links.ToDictionary(l => l.Id, l => l.OperationId);
        var ids = expected.Keys.Union(stored.Keys).ToList();
        foreach (var id in ids)
        {
            var want = expected.TryGetValue(id, out var o) ? o.ToString() : "missing";
            var have = stored.TryGetValue(id, out var h) ? h.ToString() : "missing";
            if (want != have) differences.Add(new LedgerDifference(nameof(Linking.SeizureOperationLink), id.ToString(), want, have));
        }
        return ids.Count;
    }

    /// <summary>Two JSON texts equal as data: same properties and items, numbers equal by value.</summary>
    public static bool SameJson(string a, string b)
    {
        if (a == b) return true;
        if (a == "missing" || b == "missing") return false;
        return Same(System.Text.Json.Nodes.JsonNode.Parse(a), System.Text.Json.Nodes.JsonNode.Parse(b));

        static bool Same(System.Text.Json.Nodes.JsonNode? x, System.Text.Json.Nodes.JsonNode? y) => (x, y) switch
        {
            (null, null) => true,
            (System.Text.Json.Nodes.JsonObject ox, System.Text.Json.Nodes.JsonObject oy) =>
                ox.Count == oy.Count && ox.All(p => oy.TryGetPropertyValue(p.Key, out var v) && Same(p.Value, v)),
            (System.Text.Json.Nodes.JsonArray ax, System.Text.Json.Nodes.JsonArray ay) => ax.Count == ay.Count && ax.Zip(ay).All(p => Same(p.First, p.Second)),
            (System.Text.Json.Nodes.JsonValue vx, System.Text.Json.Nodes.JsonValue vy) =>
                vx.GetValueKind() == System.Text.Json.JsonValueKind.Number && vy.GetValueKind() == System.Text.Json.JsonValueKind.Number
                    ? vx.GetValue<decimal>() == vy.GetValue<decimal>()
                    : vx.ToJsonString() == vy.ToJsonString(),
            _ => false,
        };
    }

    private static string Shorten(string json) => json.Length > 600 ? json[..600] + "…" : json;

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
