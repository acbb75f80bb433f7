namespace SeizureIntel.Intelligence.Ledger;

// Rows of the summaries' breakdowns as the API shows them. Grams are best-known masses; withoutMass counts seizures
// whose recorded quantity has no mass yet (it is in count, not in grams).
public sealed record SubstanceRow(string Substance, string Group, int Count, decimal Grams, int WithoutMass);
public sealed record GroupRow(string Group, int Count, decimal Grams, int WithoutMass);
public sealed record DetectionRow(string Detection, int Count, decimal Grams, int WithoutMass);
public sealed record AgencyRow(string Agency, int Count, decimal Grams, int WithoutMass);
public sealed record FacilityRow(string FacilityId, int Count, decimal Grams, int WithoutMass);
public sealed record MonthRow(int Month, int Count, decimal Grams, int WithoutMass);

public static class Rows
{
    public static List<T> Of<T>(IEnumerable<KeyValuePair<string, Tally>> breakdown, Func<string, Tally, T> row) =>
        breakdown.Select(p => row(p.Key, p.Value)).ToList();

    public static string MonthKey(int month) => month.ToString("D2");
}
