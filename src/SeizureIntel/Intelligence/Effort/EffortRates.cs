using System.Globalization;
using Marten;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Reference;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>
/// One kind of search effort in one period. <see cref="Amount"/> sums the effort entries of the months that have at least
/// one entry of this kind (<see cref="MonthsWithEffort"/>); months without one are <see cref="MissingMonths"/> and their
/// finds are left out of the rates (no rate divides by work nobody recorded). <see cref="Finds"/> and <see cref="Grams"/>
/// are the finds of the matching detection method (<see cref="Detection"/>) in the months with effort;
/// <see cref="AllFinds"/>/<see cref="AllGrams"/> every find at the facility in those months. Rates are per 1,000 units
/// (screenings, or hours for dog teams), rounded to 4 decimals; null when there is no effort or it is zero.
/// </summary>
public sealed record KindRate(
    string Kind, string En, string Ru, string Unit, string? Detection, decimal? Amount, int MonthsWithEffort, IReadOnlyList<string> MissingMonths,
    int Finds, decimal Grams, decimal? FindsPer1000, decimal? GramsPer1000, int AllFinds, decimal AllGrams, decimal? AllFindsPer1000, decimal? AllGramsPer1000);

/// <summary>A period's raw figures (every counted seizure, whatever effort) beside the rates of each kind of effort.</summary>
public sealed record RatePeriod(string Period, int Months, int Finds, decimal Grams, IReadOnlyList<KindRate> Kinds);

/// <summary>Finds per search effort of one facility (or several) over a month range.</summary>
public sealed record EffortRateTable(IReadOnlyList<RatePeriod> Periods, IReadOnlyList<KindRate> Total, IReadOnlyList<string> Warnings);

public static class EffortRates
{
    public const string Method =
        "Per kind of effort and period: rate = finds × 1,000 / units of effort, over the months of the period that have at least one effort entry of " +
        "that kind; months without effort are listed as missing and neither their effort nor their finds enter the rate. Finds are counted seizures " +
        "(not void, not duplicates) by local date with best weights; 'finds' are those of the detection method matching the kind (parcels X-rayed: " +
        "xray-parcel; visitors searched: visitor-search; cell searches: cell-search; staff searches: body-search; dog-team hours: canine), " +
        "'allFinds' every find at the facility in those months. Rates are rounded to 4 decimals.";

    /// <summary>Reads the effort and the finds (filtered by <paramref name="filter"/>, which names the facility) and computes the table.</summary>
    public static async Task<EffortRateTable> ComputeAsync(IQuerySession session, BucketFilter filter, IReadOnlyCollection<string> facilities, int lo, int hi,
        string granularity, ReferenceData reference, CancellationToken token)
    {
        var effort = await EffortQueries.EntriesAsync(session, facilities, lo, hi, token);
        var finds = await filter.SumByMonthAndDetectionAsync(session, lo, hi, token);
        return Compute(effort, finds, lo, hi, granularity, reference);
    }

    /// <summary>Pure: the rates of each kind per period (month, quarter or year) and over the whole range.</summary>
    public static EffortRateTable Compute(IReadOnlyList<EffortRecord> effort, IReadOnlyList<DetectionMonthTotal> finds, int lo, int hi, string granularity,
        ReferenceData reference)
    {
        var kinds = reference.Vocabulary(ReferenceData.EffortKinds) ?? [];
        // Indexed once: effort per kind and month, finds per month and per month and method (each period then reads its months).
        var amounts = new Dictionary<(string Kind, int Month), decimal>();
        foreach (var e in effort)
            amounts[(e.Kind, e.MonthIndex)] = amounts.GetValueOrDefault((e.Kind, e.MonthIndex)) + e.Amount;
        var byMonth = new Dictionary<int, (int Count, decimal Grams)>();
        var byMethod = new Dictionary<(int Month, string Detection), (int Count, decimal Grams)>();
        foreach (var f in finds)
        {
            var m = byMonth.GetValueOrDefault(f.MonthIndex);
            byMonth[f.MonthIndex] = (m.Count + f.Count, m.Grams + f.Grams);
            var d = byMethod.GetValueOrDefault((f.MonthIndex, f.Detection));
            byMethod[(f.MonthIndex, f.Detection)] = (d.Count + f.Count, d.Grams + f.Grams);
        }
        var periods = new List<RatePeriod>();
        var labels = Enumerable.Range(lo, hi - lo + 1).GroupBy(m => GetTrendsEndpoint.Label(m, granularity));
        foreach (var months in labels)
            periods.Add(Period(months.Key, months.ToList(), amounts, byMonth, byMethod, kinds));
        var total = Period("total", Enumerable.Range(lo, hi - lo + 1).ToList(), amounts, byMonth, byMethod, kinds);

        var warnings = new List<string>();
        foreach (var k in total.Kinds)
        {
            if (k.MonthsWithEffort == 0)
                warnings.Add($"No {k.En.ToLowerInvariant()} recorded in any month from {Month(lo)} to {Month(hi)}: no rate for this kind.");
            else if (k.MissingMonths.Count > 0)
                warnings.Add($"{k.En}: effort missing for {k.MissingMonths.Count} of {hi - lo + 1} months ({string.Join(", ", k.MissingMonths)}); " +
                             "rates use the months with effort only.");
            else if (k.Amount == 0)
                warnings.Add($"{k.En}: zero {k.Unit} recorded: no rate.");
        }
        return new EffortRateTable(periods, total.Kinds, warnings);
    }

    private static RatePeriod Period(string label, IReadOnlyList<int> months, Dictionary<(string Kind, int Month), decimal> amounts,
        Dictionary<int, (int Count, decimal Grams)> byMonth, Dictionary<(int Month, string Detection), (int Count, decimal Grams)> byMethod,
        IReadOnlyList<Term> kinds)
    {
        var rows = new List<KindRate>();
        foreach (var kind in kinds)
        {
            var covered = 0;
            var missing = new List<string>();
            decimal sum = 0, grams = 0, allGrams = 0;
            int findCount = 0, allCount = 0;
            foreach (var m in months)
            {
                if (!amounts.TryGetValue((kind.Code, m), out var amountOfMonth))
                {
                    missing.Add(Month(m));
                    continue;
                }
                covered++;
                sum += amountOfMonth;
                var all = byMonth.GetValueOrDefault(m);
                (allCount, allGrams) = (allCount + all.Count, allGrams + all.Grams);
                if (kind.Detection is { } method && byMethod.TryGetValue((m, method), out var matched))
                    (findCount, grams) = (findCount + matched.Count, grams + matched.Grams);
            }
            var amount = covered == 0 ? (decimal?)null : sum;
            rows.Add(new KindRate(kind.Code, kind.En, kind.Ru, kind.Kind ?? "screenings", kind.Detection, amount, covered, missing,
                findCount, Canonical(grams), Per1000(findCount, amount), Per1000(grams, amount), allCount, Canonical(allGrams), Per1000(allCount, amount),
                Per1000(allGrams, amount)));
        }
        int count = 0;
        decimal periodGrams = 0;
        foreach (var m in months)
            if (byMonth.TryGetValue(m, out var t)) (count, periodGrams) = (count + t.Count, periodGrams + t.Grams);
        return new RatePeriod(label, months.Count, count, Canonical(periodGrams), rows);
    }

    public static decimal? Per1000(decimal finds, decimal? amount) => amount is > 0 ? Math.Round(finds * 1000m / amount.Value, 4) : null;

    private static decimal Canonical(decimal d) => d / 1.000000000000000000000000000000000m;

    public static string Month(int monthIndex) => GetTrendsEndpoint.Label(monthIndex, "month");
}
