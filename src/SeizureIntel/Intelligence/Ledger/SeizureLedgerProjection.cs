using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using SeizureIntel.Facilities;
using SeizureIntel.Intelligence.FacilitySummaries;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>A summary that reports the instant of its latest seizure.</summary>
public interface ITracksLastSeizure
{
    DateTimeOffset? LastSeizureAt { get; set; }
}

/// <summary>
/// The async projection behind every per-facility, per-year and per-facility-year read model. For each batch of
/// events it loads the touched seizures' facts, applies the events, and moves each seizure's contribution from
/// the totals it counted in before to the totals it counts in now (exact decimal arithmetic, so a rebuild from
/// the events reproduces the live figures). Summaries that become empty are deleted, for the same reason.
/// </summary>
public sealed class SeizureLedgerProjection(ReferenceData reference, QuantityConverter converter, FacilityCatalog facilities) : IProjection
{
    public const string Name = "SeizureLedger";

    /// <summary>The document types this projection owns (torn down on rebuild).</summary>
    public static readonly Type[] Documents =
        [typeof(SeizureFact), typeof(FacilitySummary), typeof(FacilityYearSummary), typeof(YearSummary), typeof(MonthlyBucket), typeof(MonthlyRollup), typeof(ParkedEvent)];

    public static bool Handles(object data) => data is ISeizureEvent;

    /// <summary>
    /// The document storage of this projection's read models, for the node's store and a rebuild's (<see cref="LedgerRebuild"/>)
    /// alike: trends and impact tests filter monthly buckets by month range and facility, single-filter trends read the
    /// roll-ups by dimension, value, detection and month: columns of their own, indexed.
    /// </summary>
    public static void ConfigureStorage(StoreOptions opts)
    {
        foreach (var type in Documents) opts.RegisterDocumentType(type);
        opts.Schema.For<MonthlyBucket>().Duplicate(b => b.MonthIndex).Duplicate(b => b.Facility);
        opts.Schema.For<MonthlyRollup>().Duplicate(r => r.Dimension).Duplicate(r => r.Value).Duplicate(r => r.Detection).Duplicate(r => r.MonthIndex);
    }

    /// <summary>A failure that makes an event poison: it is parked (see <see cref="ParkedEvent"/>), not retried.</summary>
    public static bool IsPoison(Exception failure) =>
        failure is ArithmeticException or ArgumentException or InvalidOperationException or NullReferenceException or FormatException
            or KeyNotFoundException;

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken token)
    {
        var seizureEvents = events.Where(e => Handles(e.Data)).ToList();
        if (seizureEvents.Count == 0) return;

        var ids = seizureEvents.Select(e => e.StreamId).Distinct().ToArray();
        var facts = (await operations.LoadManyAsync<SeizureFact>(token, ids)).ToDictionary(f => f.Id);
        var before = facts.ToDictionary(p => p.Key, p => p.Value.Contribution(reference));

        // Each fact as loaded, to fold again without an event that fails (see ParkedEvent).
        var serializer = operations.DocumentStore.Options.Serializer();
        var loaded = facts.ToDictionary(p => p.Key, p => serializer.ToJson(p.Value));
        var parked = new HashSet<long>();
        foreach (var e in seizureEvents)
        {
            if (!facts.TryGetValue(e.StreamId, out var fact)) facts[e.StreamId] = fact = new SeizureFact { Id = e.StreamId };
            try
            {
                fact.Apply(e.Data, converter);
                fact.Contribution(reference)?.EnsureBounded();
            }
            catch (Exception failure) when (IsPoison(failure))
            {
                // A poison event: park it with its reason and fold the seizure again from its loaded state without it.
                parked.Add(e.Sequence);
                operations.Store(ParkedEvent.Of(Name, e, failure));
                var again = loaded.TryGetValue(e.StreamId, out var json)
                    ? serializer.FromJson<SeizureFact>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)))
                    : new SeizureFact { Id = e.StreamId };
                foreach (var earlier in seizureEvents.TakeWhile(x => x != e).Where(x => x.StreamId == e.StreamId && !parked.Contains(x.Sequence)))
                    again.Apply(earlier.Data, converter);
                facts[e.StreamId] = again;
            }
        }

        var changes = new List<Change>();
        foreach (var id in ids)
        {
            var old = before.GetValueOrDefault(id);
            var now = facts[id].Contribution(reference);
            if (old != now) changes.Add(new Change(old, now));
            operations.Store(facts[id]);
        }
        // The PostGIS seizure-locations table follows every touched seizure (a moved point changes no total).
        SeizureLocations.Write(operations, facilities, reference, ids.Select(id => facts[id]));
        if (changes.Count == 0) return;

        var batch = facts.Values.ToList();
        // Seizures with only their own location (no facility) count in the year totals, not in any facility's.
        var atFacilities = changes.Select(c => new Change(c.Old?.FacilityId is null ? null : c.Old, c.New?.FacilityId is null ? null : c.New))
            .Where(c => c.Old is not null || c.New is not null).ToList();
        await MoveAsync(operations, atFacilities, c => c.FacilityId!, c => new FacilitySummary { Id = c.FacilityId! },
            (s, q) => q.Where(f => f.FacilityId == s.Id), batch, token);
        await MoveAsync(operations, atFacilities, c => FacilityYearSummary.IdFor(c.FacilityId!, c.Year),
            c => new FacilityYearSummary { Id = FacilityYearSummary.IdFor(c.FacilityId!, c.Year), FacilityId = c.FacilityId!, Year = c.Year },
            (s, q) => q.Where(f => f.FacilityId == s.FacilityId && f.LocalDate >= new DateOnly(s.Year, 1, 1) && f.LocalDate <= new DateOnly(s.Year, 12, 31)),
            batch, token);
        await MoveAsync(operations, changes, c => YearSummary.IdFor(c.Year), c => new YearSummary { Id = YearSummary.IdFor(c.Year), Year = c.Year },
            null, batch, token);
        // The same year, one agency's records only (GET /api/years/{year}/summary?agency=).
        await MoveAsync(operations, changes, c => YearSummary.IdFor(c.Year, c.Agency),
            c => new YearSummary { Id = YearSummary.IdFor(c.Year, c.Agency), Year = c.Year, Agency = c.Agency }, null, batch, token);
        // Monthly buckets by every dimension: what trends, comparisons and impact tests sum.
        await MoveAsync(operations, changes, MonthlyBucket.IdFor, MonthlyBucket.For, null, batch, token);
        // One-dimension monthly roll-ups (with and without detection): what a single-filter trend sums, flat in volume.
        await MoveManyAsync(operations, changes, MonthlyRollup.Keys, MonthlyRollup.For, null, batch, token);
    }

    private sealed record Change(Contribution? Old, Contribution? New);

    private static Task MoveAsync<T>(
        IDocumentOperations operations, List<Change> changes, Func<Contribution, string> key, Func<Contribution, T> create,
        Func<T, IQueryable<SeizureFact>, IQueryable<SeizureFact>>? factsOf, List<SeizureFact> batch, CancellationToken token)
        where T : Summary =>
        MoveManyAsync(operations, changes, c => [key(c)], (c, _) => create(c), factsOf, batch, token);

    /// <summary>As <see cref="MoveAsync{T}"/> for a summary kind a contribution counts in several of (the roll-ups).</summary>
    private static async Task MoveManyAsync<T>(
        IDocumentOperations operations, List<Change> changes, Func<Contribution, IEnumerable<string>> keysOf, Func<Contribution, string, T> create,
        Func<T, IQueryable<SeizureFact>, IQueryable<SeizureFact>>? factsOf, List<SeizureFact> batch, CancellationToken token)
        where T : Summary
    {
        var keys = changes.SelectMany(c => new[] { c.Old, c.New }).OfType<Contribution>().SelectMany(keysOf).Distinct().ToArray();
        var docs = (await operations.LoadManyAsync<T>(token, keys)).ToDictionary(d => d.Id);
        var stale = new HashSet<string>();

        foreach (var (old, now) in changes)
        {
            if (old is not null)
                foreach (var oldKey in keysOf(old))
                    if (docs.TryGetValue(oldKey, out var from))
                    {
                        from.Add(old, -1);
                        if (from is ITracksLastSeizure t && t.LastSeizureAt <= old.OccurredAt) stale.Add(oldKey);
                    }
            if (now is not null)
                foreach (var newKey in keysOf(now))
                {
                    if (!docs.TryGetValue(newKey, out var to)) docs[newKey] = to = create(now, newKey);
                    to.Add(now, +1);
                    if (to is ITracksLastSeizure t && (t.LastSeizureAt is null || t.LastSeizureAt < now.OccurredAt)) t.LastSeizureAt = now.OccurredAt;
                }
        }

        foreach (var doc in docs.Values)
        {
            if (doc.IsEmpty)
            {
                operations.Delete<T>(doc.Id);
                continue;
            }
            if (stale.Contains(doc.Id) && doc is ITracksLastSeizure tracked && factsOf is not null)
                tracked.LastSeizureAt = await LatestAsync(operations, batch, q => factsOf(doc, q), token);
            operations.Store(doc);
        }
    }

    /// <summary>The latest instant among the facts a summary counts: committed ones outside this batch, and the batch's own.</summary>
    private static async Task<DateTimeOffset?> LatestAsync(
        IDocumentOperations operations, List<SeizureFact> batch, Func<IQueryable<SeizureFact>, IQueryable<SeizureFact>> filter, CancellationToken token)
    {
        var batchIds = batch.Select(f => f.Id).ToArray();
        var committed = await filter(operations.Query<SeizureFact>())
            .Where(f => !batchIds.Contains(f.Id) && !f.Voided && f.DuplicateOf == null)
            .OrderByDescending(f => f.OccurredAt).Select(f => f.OccurredAt).Take(1).ToListAsync(token);
        var fromBatch = filter(batch.Where(f => f.Counted).AsQueryable()).Select(f => (DateTimeOffset?)f.OccurredAt).Max();
        DateTimeOffset? latest = committed.Count > 0 ? committed[0] : null;
        return fromBatch > latest || latest is null ? fromBatch : latest;
    }
}
