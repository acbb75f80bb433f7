using SeizureIntel.Intelligence.Effort;
using SeizureIntel.Intelligence.Years;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Trends;

public sealed record TrendPoint(string Period, int Count, decimal Grams, decimal LabConfirmedGrams);

public sealed record TrendFilters(
    string? Substance, string? Group, string? Agency, string? Facility, string? Oblast, string? Detection, string? Entry, string? From, string? To);

/// <summary>The series; with a facility filter also its finds per search effort per period (null without one).</summary>
/// <summary>With national=KGZ (and group=) also the country's figures of that group reported to UNODC, year by year, and the node's share.</summary>
public sealed record TrendSeries(TrendFilters Filters, string Granularity, IReadOnlyList<TrendPoint> Series, EffortRateTable? Rates = null,
    National.NationalBeside? National = null);

public static class GetTrendsEndpoint
{
    public const int MaxMonths = Bounds.MaxPeriods;
    private static readonly string[] Granularities = ["month", "quarter", "year"];

    /// <summary>
    /// Counted seizures (not voided, not duplicates) per period, by local date, with best weights (lab net weight, else
    /// the field figure) and the lab-confirmed part. Filters are single codes; from and to are months (2014-01), dates
    /// (2014-01-15, meaning its month) or years (2014), inclusive; when absent they default to the first and last month
    /// with data. Periods with nothing are present as zeros. Quarters and years at the ends of the range count only the
    /// months inside it. Periods are labelled 2015-03, 2015-Q1, 2015. With facility=, rates gives finds and grams per
    /// 1,000 screenings of each kind of search effort for the same periods (see GET /api/facilities/{id}/rates). With
    /// national=KGZ (needs group=; edition= names a UNODC edition, default the newest) national gives, per year of the
    /// range, the country's reported seizures of the group beside the node's own grams and their share, with the source cited.
    /// </summary>
    [WolverineGet("/api/trends", OperationId = "getTrends")]
    public static async Task<Results<Ok<TrendSeries>, ProblemHttpResult>> Get(
        string? substance, string? group, string? agency, string? facility, string? oblast, string? detection, string? entry,
        string? from, string? to, string? granularity, string? national, string? edition, ReferenceData reference, FacilityCatalog facilities, Oblasts oblasts,
        TimeProvider time, IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        var filter = BucketFilter.Parse(problems, reference, facilities, oblasts, substance, group, agency, facility, oblast, detection, entry);
        var g = string.IsNullOrWhiteSpace(granularity) ? "month" : granularity.Trim().ToLowerInvariant();
        if (!Granularities.Contains(g)) problems.Fail("granularity", "must be month, quarter or year");
        var now = time.GetUtcNow();
        var lo = BucketFilter.ParseMonth(problems, "from", from, end: false, now);
        var hi = BucketFilter.ParseMonth(problems, "to", to, end: true, now);
        if (lo > hi) problems.Fail("from", $"'{from}' is after to '{to}'");
        else if (hi - lo >= MaxMonths) problems.Fail("to", $"the range may span at most {MaxMonths} months");
        var country = National.NationalComparison.Parse(problems, national, edition, group, substance);
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad trend query"));

        // One facility alone: the series, the finds per detection method and the effort entries in one query.
        var facilityTrend = filter.Facility is { } one && one != YearSummary.NoFacility
            ? await filter.FacilityTrendAsync(session, lo ?? int.MinValue, hi ?? int.MaxValue, token)
            : null;
        var months = facilityTrend?.Months ?? await filter.SumByMonthAsync(session, lo ?? int.MinValue, hi ?? int.MaxValue, token);
        var echo = new TrendFilters(filter.Substance, filter.Group, filter.Agency, filter.Facility, filter.Oblast, filter.Detection, filter.Entry,
            from?.Trim(), to?.Trim());
        if (months.Count == 0 && (lo is null || hi is null)) return TypedResults.Ok(new TrendSeries(echo, g, []));
        // Defaults come from the data, held to the same bounds as explicit months: a stray record of the year 0001 (stored
        // before the bounds existed) cannot make a series of 96,000 periods.
        var first = lo ?? Math.Max(months[0].MonthIndex, MonthlyBucket.IndexOf(Bounds.EarliestYear, 1));
        var last = hi ?? Math.Min(months[^1].MonthIndex, MonthlyBucket.IndexOf(now.UtcDateTime.Year + 1, 12));
        if (last < first) return TypedResults.Ok(new TrendSeries(echo, g, []));
        if (last - first >= MaxMonths) first = last - MaxMonths + 1;

        var byMonth = months.ToDictionary(m => m.MonthIndex);
        var series = new List<TrendPoint>();
        var points = new Dictionary<string, Tally>();
        for (var m = first; m <= last; m++)
        {
            var label = Label(m, g);
            if (!points.TryGetValue(label, out var tally))
            {
                points[label] = tally = new Tally();
                series.Add(new TrendPoint(label, 0, 0, 0));
            }
            if (byMonth.GetValueOrDefault(m) is not { } total) continue;
            tally.Count += total.Count;
            tally.Grams += total.Grams;
            tally.LabConfirmedGrams += total.LabConfirmedGrams;
        }
        // With one facility, the rates per kind of search effort, over the same periods and the same filters.
        var rates = filter.Facility is { } f && f != YearSummary.NoFacility
            ? facilityTrend is { } ft
                ? EffortRates.Compute(ft.Effort.Where(e => e.MonthIndex >= first && e.MonthIndex <= last).ToList(),
                    ft.Finds.Where(d => d.MonthIndex >= first && d.MonthIndex <= last).ToList(), first, last, g, reference)
                : await EffortRates.ComputeAsync(session, filter, [f], first, last, g, reference, token)
            : null;
        National.NationalBeside? beside = null;
        if (country is not null)
        {
            var own = Enumerable.Range(first, last - first + 1).GroupBy(m => m / 12)
                .Select(y => (y.Key, Tally.Canonical(y.Sum(m => byMonth.GetValueOrDefault(m)?.Grams ?? 0m)), y.Count() < 12)).ToList();
            var (built, missing) = await National.NationalComparison.BuildAsync(session, reference, country, edition, filter.Group!, own,
                filter.Agency, "en", token);
            if (missing is not null) return TypedResults.Problem(missing);
            beside = built;
        }
        return TypedResults.Ok(new TrendSeries(echo, g, series.Select(p => points[p.Period] is var t
            ? new TrendPoint(p.Period, t.Count, Tally.Canonical(t.Grams), Tally.Canonical(t.LabConfirmedGrams)) : p).ToList(), rates, beside));
    }

    public static string Label(int monthIndex, string granularity)
    {
        var year = monthIndex / 12;
        var month = monthIndex % 12 + 1;
        return granularity switch
        {
            "year" => $"{year:D4}",
            "quarter" => $"{year:D4}-Q{(month - 1) / 3 + 1}",
            _ => $"{year:D4}-{month:D2}",
        };
    }
}
