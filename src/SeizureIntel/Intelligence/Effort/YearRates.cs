using JasperFx.Events;
using Marten;
using Marten.Events;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>A facility's finds per search effort over a year: only the kinds of effort recorded there that year.</summary>
public sealed record FacilityEffort(string Facility, IReadOnlyList<KindRate> Kinds);

/// <summary>
/// The rates of a year for every facility with effort recorded in it, as the year summaries and the annual report show
/// them. Without as-of: the effort entries and monthly buckets as they are now. With as-of: the effort entries and the
/// seizures folded from the events recorded up to that instant, so a report as at a date keeps its rates too.
/// With an agency, only that agency's finds (effort belongs to the facility, whichever agency searched).
/// </summary>
public static class YearRates
{
    public static async Task<IReadOnlyList<FacilityEffort>> ForYearAsync(IQuerySession session, int year, DateTimeOffset? asOf, string? agency,
        ReferenceData reference, QuantityConverter converter, CancellationToken token)
    {
        int lo = MonthlyBucket.IndexOf(year, 1), hi = MonthlyBucket.IndexOf(year, 12);
        IReadOnlyList<EffortRecord> effort;
        Func<string, Task<IReadOnlyList<DetectionMonthTotal>>> finds;
        if (asOf is { } at)
        {
            effort = (await EffortAsOfAsync(session, at, token)).Where(e => e.MonthIndex >= lo && e.MonthIndex <= hi).ToList();
            if (effort.Count == 0) return [];
            var contributions = (await LedgerReplay.FactsAsOfAsync(session, at, converter, token))
                .Select(f => f.Contribution(reference)).OfType<Contribution>()
                .Where(c => c.Year == year && (agency is null || c.Agency == agency)).ToList();
            finds = facility => Task.FromResult(Totals(contributions.Where(c => c.FacilityId == facility)));
        }
        else
        {
            effort = await session.Query<EffortRecord>().Where(e => e.MonthIndex >= lo && e.MonthIndex <= hi && !e.Voided).ToListAsync(token);
            finds = async facility => await new BucketFilter(null, null, agency, facility, null, null, null).SumByMonthAndDetectionAsync(session, lo, hi, token);
        }

        var rows = new List<FacilityEffort>();
        foreach (var facility in effort.Select(e => e.Facility).Distinct().Order(StringComparer.Ordinal))
        {
            var table = EffortRates.Compute(effort.Where(e => e.Facility == facility).ToList(), await finds(facility), lo, hi, "year", reference);
            rows.Add(new FacilityEffort(facility, table.Total.Where(k => k.MonthsWithEffort > 0).ToList()));
        }
        return rows;
    }

    /// <summary>Pure: seizures' contributions summed by month and detection method.</summary>
    public static IReadOnlyList<DetectionMonthTotal> Totals(IEnumerable<Contribution> contributions) =>
        contributions.GroupBy(c => (Month: MonthlyBucket.IndexOf(c.Year, c.Month), c.Detection))
            .Select(g => new DetectionMonthTotal(g.Key.Month, g.Key.Detection, g.Count(), g.Sum(c => c.Grams ?? 0m), g.Sum(c => c.LabConfirmedGrams ?? 0m)))
            .OrderBy(t => t.MonthIndex).ThenBy(t => t.Detection, StringComparer.Ordinal).ToList();

    /// <summary>The counting effort entries as the events recorded up to <paramref name="asOf"/> leave them.</summary>
    public static async Task<IReadOnlyList<EffortRecord>> EffortAsOfAsync(IQuerySession session, DateTimeOffset asOf, CancellationToken token)
    {
        var cutOff = asOf.ToUniversalTime(); // Npgsql writes timestamptz parameters only in UTC
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Timestamp <= cutOff && e.EventTypesAre(typeof(EffortRecorded), typeof(EffortCorrected), typeof(EffortVoided)))
            .OrderBy(e => e.Sequence).ToListAsync(token);
        var entries = new Dictionary<Guid, EffortRecord>();
        foreach (var e in events)
            switch (e.Data)
            {
                case EffortRecorded r: entries[r.EffortId] = EffortRecord.Create(r); break;
                case EffortCorrected c when entries.TryGetValue(c.EffortId, out var entry): entry.Apply(c); break;
                case EffortVoided v when entries.TryGetValue(v.EffortId, out var entry): entry.Apply(v); break;
            }
        return entries.Values.Where(e => !e.Voided).ToList();
    }
}
