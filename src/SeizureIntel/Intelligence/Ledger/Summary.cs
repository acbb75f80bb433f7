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
        AddToBreakdowns(c, sign);
    }

    protected abstract void AddToBreakdowns(Contribution c, int sign);

    protected static void Add(SortedDictionary<string, Tally> breakdown, string key, Contribution c, int sign)
    {
        if (!breakdown.TryGetValue(key, out var tally)) breakdown[key] = tally = new Tally();
        tally.Add(c, sign);
        if (tally.IsEmpty) breakdown.Remove(key);
    }
}
