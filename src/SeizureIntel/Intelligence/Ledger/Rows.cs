namespace SeizureIntel.Intelligence.Ledger;

// Rows of the summaries' breakdowns as the API shows them. Grams are best weights (lab net weight where there is
// one, else the field figure); labConfirmedGrams is the part of grams a lab confirmed; withoutMass counts seizures
// whose recorded quantity has no mass (they are in count, not in grams).
public sealed record SubstanceRow(string Substance, string Group, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record GroupRow(string Group, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record DetectionRow(string Detection, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record EntryRow(string Entry, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record AgencyRow(string Agency, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record FacilityRow(string FacilityId, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record OblastRow(string Oblast, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);
public sealed record MonthRow(int Month, int Count, decimal Grams, decimal LabConfirmedGrams, int WithoutMass);

public static class Rows
{
    public static List<T> Of<T>(IEnumerable<KeyValuePair<string, Tally>> breakdown, Func<string, Tally, T> row) =>
        breakdown.Select(p => row(p.Key, p.Value)).ToList();

    public static List<SubstanceRow> Substances(IEnumerable<KeyValuePair<string, Tally>> b, Func<string, string> groupOf) =>
        Of(b, (k, t) => new SubstanceRow(k, groupOf(k), t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<GroupRow> Groups(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new GroupRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<DetectionRow> Detections(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new DetectionRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<EntryRow> Entries(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new EntryRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<AgencyRow> Agencies(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new AgencyRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<FacilityRow> Facilities(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new FacilityRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<OblastRow> Oblasts(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new OblastRow(k, t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));
    public static List<MonthRow> Months(IEnumerable<KeyValuePair<string, Tally>> b) => Of(b, (k, t) => new MonthRow(int.Parse(k), t.Count, t.Grams, t.LabConfirmedGrams, t.WithoutMass));

    public static string MonthKey(int month) => month.ToString("D2");

    /// <summary>The share of the mass a lab confirmed, in percent with one decimal; null when there is no mass.</summary>
    /// <summary>A change against a baseline in %, one decimal (half away from zero); null when the baseline is zero.</summary>
    public static decimal? PercentChange(decimal change, decimal baseline) =>
        baseline == 0 ? null : Math.Round(change / baseline * 100m, 1, MidpointRounding.AwayFromZero);

    public static decimal? LabConfirmedShare(Tally t) => t.Grams == 0 ? null : Math.Round(t.LabConfirmedGrams / t.Grams * 100m, 1);
}
