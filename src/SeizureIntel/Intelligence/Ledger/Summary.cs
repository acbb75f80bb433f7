using System.Text.Json.Serialization;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// A read model of totals kept by <see cref="SeizureLedgerProjection"/>: each seizure's contribution is added, and
/// taken back when a later event changes it. Breakdowns are sorted by key so equal data serialises equally.
/// </summary>
public abstract class Summary
{
    public string Id { get; set; } = "";
    public Tally Total { get; set; } = new();

    [JsonIgnore] public bool IsEmpty => Total.IsEmpty;

    public void Add(Contribution c, int sign)
    {
        Total.Add(c, sign);
        AddToBreakdowns(c, new Change(c, sign, null));
    }

    /// <summary>
    /// Adds many seizures at once: those <paramref name="seizures"/> counts, which all have the keys of
    /// <paramref name="example"/> in every breakdown (a rebuild's monthly bucket: its seizures share every dimension). The
    /// same figures as adding each of them with <see cref="Add(Contribution, int)"/> (see <see cref="Tally.Merge"/>).
    /// </summary>
    public void Merge(Contribution example, Tally seizures)
    {
        Total.Merge(seizures);
        AddToBreakdowns(example, new Change(example, +1, seizures));
    }

    /// <summary>What a breakdown's tally takes: one contribution added (or taken back), or a whole tally of seizures merged.</summary>
    protected readonly record struct Change(Contribution Contribution, int Sign, Tally? Seizures)
    {
        public void ApplyTo(Tally tally)
        {
            if (Seizures is null) tally.Add(Contribution, Sign);
            else tally.Merge(Seizures);
        }
    }

    /// <param name="c">The contribution whose keys the breakdowns take.</param>
    /// <param name="change">What each of those breakdowns' tallies takes.</param>
    protected abstract void AddToBreakdowns(Contribution c, Change change);

    protected static void Add(SortedDictionary<string, Tally> breakdown, string key, Change change)
    {
        if (!breakdown.TryGetValue(key, out var tally)) breakdown[key] = tally = new Tally();
        change.ApplyTo(tally);
        if (tally.IsEmpty) breakdown.Remove(key);
    }
}
