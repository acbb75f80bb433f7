using System.Globalization;
using Marten;
using SeizureIntel.Calendar;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Reports.Restatement;

/// <summary>
/// One event after the report's instant that changed a seizure: its kind (<see cref="Restatements.Kinds"/>), when it
/// was stored (Bishkek time), why (the reason given, or what the lab or partner sent) and who.
/// </summary>
public sealed record RestatementEvent(string Kind, DateTimeOffset At, string Reason, string? By, long Sequence);

/// <summary>What one seizure added to the published years: none when it did not count in them (void, duplicate, other year, unknown then).</summary>
public sealed record RecordFigures(int Year, string Month, string Agency, string Facility, string SubstanceGroup, string Substance, decimal? Grams, bool LabWeighed);

/// <summary>The net effect of one record on a year's total: counts and grams, now minus as published.</summary>
public sealed record RecordEffect(int Year, int Count, decimal Grams);

/// <summary>A seizure whose share of the published totals changed since the report's instant, and the events that changed it.</summary>
public sealed record RestatedRecord(Guid SeizureId, string Reference, string Agency, IReadOnlyList<RestatementEvent> Events,
    RecordFigures? Published, RecordFigures? Now, IReadOnlyList<RecordEffect> Effect);

/// <summary>
/// One published figure (a year's total, or one row of a table as the report publishes it: by agency, substance group,
/// substance, facility, oblast, detection, method of entry, month) as published and now.
/// </summary>
public sealed record RestatedTotal(int Year, string Table, string Key, int PublishedCount, int NowCount, int CountChange,
    decimal PublishedGrams, decimal NowGrams, decimal GramsChange, decimal PublishedLabConfirmedGrams, decimal NowLabConfirmedGrams,
    int PublishedWithoutMass, int NowWithoutMass);

public sealed record RestatementAnswer(int Year, int Baseline, string? Agency, DateTimeOffset AsOf, DateTimeOffset Now, string TimeZone,
    int RecordsChanged, IReadOnlyList<RestatedRecord> Records, IReadOnlyList<RestatedTotal> Totals, string Method);

/// <summary>
/// The annual report as published at an instant against the same report now, both folded from the event store (the
/// report as of asOf is exactly <see cref="LedgerReplay"/> up to asOf; "now" is every event stored up to the moment of
/// asking), so the differences are exactly what the events recorded after asOf changed.
/// </summary>
public static class Restatements
{
    public const string RecordedLate = "recorded-late";
    public const string Correction = "correction";
    public const string LateLabResult = "late-lab-result";
    public const string Void = "void";
    public const string Duplicate = "duplicate";
    public const string PartnerReceived = "partner-record-received";
    public const string PartnerWithdrawn = "partner-record-withdrawn";
    public static readonly string[] Kinds = [RecordedLate, Correction, LateLabResult, Void, Duplicate, PartnerReceived, PartnerWithdrawn];

    public const string Method =
        "Both sides are folded from the event store with the ledger's own rules: the published side from the events stored up to asOf " +
        "(as GET /api/reports/annual/{year}?asOf= computes it), the current side from every event stored when asked. A record is listed " +
        "when its share of the report's years changed (year, month, agency, facility, substance, best weight, counted or not); events after " +
        "asOf that changed nothing published (notes, custody) are not. Each total is listed where it changed; the two years' totals always. " +
        "The records' effects add up to the change of each year's total.";

    /// <summary>Seizure facts at the instant and now, the references, and each seizure's events stored after the instant.</summary>
    public sealed record Replay(
        Dictionary<Guid, SeizureFact> Then, Dictionary<Guid, SeizureFact> Now, Dictionary<Guid, string> References,
        Dictionary<Guid, List<RestatementEvent>> Later, DateTimeOffset AsOf, DateTimeOffset At);

    public static async Task<Replay> ReplayAsync(IQuerySession session, DateTimeOffset asOf, DateTimeOffset now, QuantityConverter converter,
        CancellationToken token)
    {
        var cutOff = asOf.ToUniversalTime();
        var events = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync(token);
        var then = new Dictionary<Guid, SeizureFact>();
        var current = new Dictionary<Guid, SeizureFact>();
        var references = new Dictionary<Guid, string>();
        var later = new Dictionary<Guid, List<RestatementEvent>>();
        foreach (var e in events)
        {
            if (e.Data is not ISeizureEvent) continue;
            switch (e.Data)
            {
                case SeizureRecorded r: references[e.StreamId] = r.Reference; break;
                case PartnerSeizureReceived p: references[e.StreamId] = p.OriginReference; break;
            }
            if (!current.TryGetValue(e.StreamId, out var fact)) current[e.StreamId] = fact = new SeizureFact { Id = e.StreamId };
            fact.Apply(e.Data, converter);
            if (e.Timestamp <= cutOff)
            {
                if (!then.TryGetValue(e.StreamId, out var old)) then[e.StreamId] = old = new SeizureFact { Id = e.StreamId };
                old.Apply(e.Data, converter);
            }
            else if (Describe(e.Data) is { } described)
            {
                if (!later.TryGetValue(e.StreamId, out var list)) later[e.StreamId] = list = [];
                list.Add(new RestatementEvent(described.Kind, LocalCalendar.ToLocal(e.Timestamp), described.Reason,
                    (e.Data as IAttributedEvent)?.By is { } by ? $"{by.User} ({by.Agency})" : null, e.Sequence));
            }
        }
        return new Replay(then, current, references, later, asOf, now);
    }

    /// <summary>The kind and reason of an event that can change what a seizure adds to the totals; null for the others.</summary>
    public static (string Kind, string Reason)? Describe(object data) => data switch
    {
        SeizureRecorded r => (RecordedLate, $"recorded {LocalCalendar.ToLocal(r.RecordedAt):yyyy-MM-dd HH:mm} by {r.RecordedBy} for a seizure of {r.LocalDate:yyyy-MM-dd}" +
                                            (r.ImportedFrom is not null ? " (imported)" : "")),
        SeizureCorrected c => (Correction, c.Reason + (c.Changes.Count > 0 ? " [" + string.Join(", ", c.Changes.Select(x => x.Field)) + "]" : "")),
        LabAnalysisReported l => (LateLabResult, FormattableString.Invariant(
            $"{l.Lab} case {l.LabCaseNumber} of {l.ReportDate:yyyy-MM-dd}: {l.ConfirmedSubstance}, {l.NetWeightGrams} g{(l.PurityPercent is { } p ? FormattableString.Invariant($", purity {p} %") : "")}")),
        SeizureVoided v => (Void, v.Reason),
        SeizureMarkedDuplicate d => (Duplicate, $"{d.Reason} (duplicate of {d.DuplicateOfReference})"),
        PartnerSeizureReceived p => (PartnerReceived, $"{p.OriginAgency} {p.OriginReference}, version {p.OriginVersion}"),
        PartnerSeizureWithdrawn w => (PartnerWithdrawn, $"{w.OriginAgency}: {w.Reason}"),
        _ => null,
    };

    /// <summary>Pure: the restatement of the report for year and baseline (one agency's records, when given) from a replay.</summary>
    public static RestatementAnswer Compute(Replay replay, int year, int baseline, string? agency, ReferenceData reference)
    {
        Contribution? Share(SeizureFact? fact) =>
            fact?.Contribution(reference) is { } c && (c.Year == year || c.Year == baseline) && (agency is null || c.Agency == agency) ? c : null;
        static RecordFigures? Figures(Contribution? c) => c is null
            ? null
            : new RecordFigures(c.Year, Rows.MonthKey(c.Month), c.Agency, c.FacilityId ?? YearSummary.NoFacility, c.SubstanceGroup, c.Substance, c.Grams,
                c.LabConfirmedGrams is not null);

        var records = new List<RestatedRecord>();
        foreach (var (id, events) in replay.Later)
        {
            var before = Share(replay.Then.GetValueOrDefault(id));
            var after = Share(replay.Now.GetValueOrDefault(id));
            if (before == after) continue; // nothing published changed (record equality: every field a total uses)
            var effect = new[] { year, baseline }.Select(y => new RecordEffect(y,
                    (after?.Year == y ? 1 : 0) - (before?.Year == y ? 1 : 0),
                    (after?.Year == y ? after.Grams ?? 0 : 0) - (before?.Year == y ? before.Grams ?? 0 : 0)))
                .Where(e => e.Count != 0 || e.Grams != 0).ToList();
            records.Add(new RestatedRecord(id, replay.References.GetValueOrDefault(id, ""), (after ?? before)!.Agency, events,
                Figures(before), Figures(after), effect));
        }
        records = records.OrderBy(r => r.Events[0].Sequence).ToList();

        var totals = new List<RestatedTotal>();
        foreach (var y in new[] { year, baseline })
        {
            var published = YearSummary.From(replay.Then.Values, y, agency, reference);
            var now = YearSummary.From(replay.Now.Values, y, agency, reference);
            totals.Add(Total(y, "total", "all", published.Total, now.Total));
            foreach (var (table, p, n) in new (string, IReadOnlyDictionary<string, Tally>, IReadOnlyDictionary<string, Tally>)[]
                     {
                         ("agency", published.ByAgency, now.ByAgency), ("substance-group", published.ByGroup, now.ByGroup),
                         ("substance", published.BySubstance, now.BySubstance), ("facility", published.ByFacility, now.ByFacility),
                         ("oblast", published.ByOblast, now.ByOblast), ("detection", published.ByDetection, now.ByDetection),
                         ("entry", published.ByEntry, now.ByEntry), ("month", published.ByMonth, now.ByMonth),
                     })
                foreach (var key in p.Keys.Union(n.Keys).Order(StringComparer.Ordinal))
                    if (Total(y, table, key, p.GetValueOrDefault(key), n.GetValueOrDefault(key)) is var row &&
                        (row.CountChange != 0 || row.GramsChange != 0 || row.PublishedLabConfirmedGrams != row.NowLabConfirmedGrams ||
                         row.PublishedWithoutMass != row.NowWithoutMass))
                        totals.Add(row);
        }
        return new RestatementAnswer(year, baseline, agency, LocalCalendar.ToLocal(replay.AsOf), LocalCalendar.ToLocal(replay.At),
            LocalCalendar.CountryTimeZone, records.Count, records, totals, Method);
    }

    private static RestatedTotal Total(int year, string table, string key, Tally? published, Tally? now)
    {
        published ??= new Tally();
        now ??= new Tally();
        return new RestatedTotal(year, table, key, published.Count, now.Count, now.Count - published.Count,
            published.Grams, now.Grams, Tally.Canonical(now.Grams - published.Grams), published.LabConfirmedGrams, now.LabConfirmedGrams,
            published.WithoutMass, now.WithoutMass);
    }
}
