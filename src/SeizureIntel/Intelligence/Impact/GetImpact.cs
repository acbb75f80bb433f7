using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Impact;

public sealed record MonthCount(string Period, int Count);

public sealed record ImpactWindow(string From, string To, int Months, int Count, double RatePerMonth, IReadOnlyList<MonthCount> Series);

public sealed record RateRatioInterval(double Level, double Lower, double? Upper);

public sealed record ImpactAnswer(
    string Facility, string Date, string? Detection, string ExcludedMonth, ImpactWindow Before, ImpactWindow After,
    double? RateRatio, RateRatioInterval ConfidenceInterval, double PValue, string Verdict, string Method);

public static class GetImpactEndpoint
{
    /// <summary>Fewer detections than this in both windows together, and the verdict says the data cannot tell.</summary>
    public const int MinimumEvents = 10;

    public const string Method =
        "Exact conditional Poisson test: given n = before + after detections, after ~ Binomial(n, p0) with p0 = T_after / (T_before + T_after) " +
        "under no change (T = months of exposure). 95 % Clopper–Pearson interval for p mapped to the rate ratio by p / (1 - p) * T_before / T_after; " +
        "two-sided p-value sums the probabilities of outcomes no more likely than the observed one.";

    /// <summary>
    /// Did detections at a facility change after an intervention (e.g. an X-ray scanner installed on <paramref name="date"/>)?
    /// Counts counted seizures (by local date) in the <paramref name="months"/> full months before the date's month and the
    /// same number after it; the date's own month is excluded (part before, part after). The after window stops at the last
    /// full month before the current one, so exposures may differ. detection= restricts to one detection method.
    /// </summary>
    [WolverineGet("/api/impact", OperationId = "getImpact")]
    public static async Task<Results<Ok<ImpactAnswer>, ProblemHttpResult>> Get(
        string? facility, string? date, string? months, string? detection, ReferenceData reference, FacilityCatalog facilities, Oblasts oblasts,
        TimeProvider time, IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        if (string.IsNullOrWhiteSpace(facility)) problems.Fail("facility", "is required (a facility code or alias)");
        var filter = BucketFilter.Parse(problems, reference, facilities, oblasts, null, null, null, facility, null, detection, null);
        DateOnly day = default;
        if (string.IsNullOrWhiteSpace(date)) problems.Fail("date", "is required (yyyy-MM-dd, the intervention's local date)");
        else if (!DateOnly.TryParseExact(date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            problems.Fail("date", "must be a date yyyy-MM-dd");
        else Bounds.Year(problems, "date", day.Year, time.GetUtcNow());
        var span = 12;
        if (!string.IsNullOrWhiteSpace(months) && (!int.TryParse(months.Trim(), out span) || span is < 1 or > 120))
            problems.Fail("months", "must be a whole number of months from 1 to 120");
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad impact query"));

        var zone = facilities.Resolve(filter.Facility)?.Zone ?? TimeZoneInfo.FindSystemTimeZoneById("Asia/Bishkek");
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
        var pivot = MonthlyBucket.IndexOf(day.Year, day.Month);
        var lastFull = MonthlyBucket.IndexOf(today.Year, today.Month) - 1;
        var afterTo = Math.Min(pivot + span, lastFull);
        if (afterTo <= pivot)
            return TypedResults.Problem(Problems.Invalid("date", "leaves no full month after the date's month yet", "Bad impact query"));

        var counts = (await filter.SumByMonthAsync(session, pivot - span, afterTo, token)).ToDictionary(m => m.MonthIndex, m => m.Count);
        ImpactWindow Window(int from, int to)
        {
            var series = Enumerable.Range(from, to - from + 1).Select(m => new MonthCount(GetTrendsEndpoint.Label(m, "month"), counts.GetValueOrDefault(m))).ToList();
            var total = series.Sum(s => s.Count);
            return new ImpactWindow(series[0].Period, series[^1].Period, series.Count, total, Math.Round((double)total / series.Count, 4), series);
        }
        var before = Window(pivot - span, pivot - 1);
        var after = Window(pivot + 1, afterTo);
        var test = RateRatioTest.Run(before.Count, after.Count, before.Months, after.Months);

        return TypedResults.Ok(new ImpactAnswer(filter.Facility!, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), filter.Detection,
            GetTrendsEndpoint.Label(pivot, "month"), before, after, Round(test.RateRatio),
            new RateRatioInterval(0.95, Math.Round(test.Lower, 4), Round(test.Upper)), Math.Round(test.PValue, 6), Verdict(test), Method));
    }

    private static double? Round(double? x) => x is double v ? Math.Round(v, 4) : null;

    public static string Verdict(RateRatioResult t)
    {
        var n = t.Before + t.After;
        string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
        var ci = $"95 % CI {F(t.Lower)} to {(t.Upper is double u ? F(u) : "infinity")}, p = {t.PValue.ToString("0.####", CultureInfo.InvariantCulture)}";
        if (n < MinimumEvents)
            return $"The data cannot tell: only {n} detection{(n == 1 ? "" : "s")} in both periods together (fewer than {MinimumEvents}), too few to judge a change.";
        var ratio = t.RateRatio is double r ? F(r) : "infinitely many";
        if (t.Lower <= 1 && (t.Upper is null || t.Upper >= 1))
            return $"The data cannot tell: the monthly rate after is {ratio} times the rate before, but the interval ({ci}) includes 1 (no change).";
        var direction = t.Lower > 1 ? "rose" : "fell";
        return $"Detections {direction}: the monthly rate after is {ratio} times the rate before ({ci}). This shows a change in detections, not its cause.";
    }
}
