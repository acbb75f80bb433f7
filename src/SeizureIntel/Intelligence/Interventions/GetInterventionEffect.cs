using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Facilities;
using SeizureIntel.Intelligence.Effort;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Interventions;

public sealed record EffectWindow(string From, string To, int Months, int Points);

/// <summary>One month of the analysed series: the treated value, the controls' mean, the fitted lines (null where not fitted).</summary>
public sealed record EffectPoint(
    string Period, bool After, double? Treated, double? Control, double? Fitted, double? Counterfactual, double? Difference, double? DifferenceFitted);

public sealed record ModelResult(string Model, IReadOnlyList<Estimate> Estimates, int Points, int Parameters, int NeweyWestLag, bool Seasonal);

public sealed record ControlFacility(string Facility, string Name, string Reason);

public sealed record InterventionEffect(
    Guid Intervention, string Kind, IReadOnlyList<string> Facilities, string StartedOn, string Measure, string? EffortKind, string? ExcludedMonth,
    EffectWindow Before, EffectWindow After, ModelResult? Single, ModelResult? Comparative, IReadOnlyList<ControlFacility> Controls,
    IReadOnlyList<ControlFacility> ControlsNotUsed, IReadOnlyList<EffectPoint> Series, IReadOnlyList<string> Warnings, string Method);

public static class GetInterventionEffectEndpoint
{
    public const int MinimumPointsPerSide = 12;
    private static readonly string[] Measures = ["count", "grams", "rate"];

    public const string Method =
        "Interrupted time series by segmented regression on monthly values of the treated facilities (summed; for rate, pooled finds of the " +
        "matching detection method per 1,000 units of effort): y = b0 + b1·t + b2·D + b3·(t − t0)·D + month-of-year dummies (when the series " +
        "covers at least 24 months), D = 1 from the first full month after the start date (a start date's own month is left out unless it is " +
        "the 1st). Ordinary least squares (MathNet.Numerics), Newey–West standard errors (Bartlett kernel, lag floor(4·(n/100)^(2/9)), " +
        "small-sample factor n/(n − k)), 95 % intervals and two-sided p-values from Student's t with n − k degrees of freedom. Comparative: " +
        "the same model on the treated series minus the controls' mean; its level and slope changes are the treated facilities' changes " +
        "beyond the controls'. A change at the facilities is not proof that the intervention caused it.";

    /// <summary>
    /// Did finds change when the intervention started? Fits an interrupted time series on the treated facilities over
    /// <paramref name="months"/> months each side of the start (default 24), and where controls exist the difference
    /// against them (comparative ITS). measure: count (default), grams, or rate (finds per 1,000 units of effort of kind
    /// <paramref name="kind"/>, default by the intervention's kind). controls: auto (default: facilities of the same type,
    /// without a registered intervention in the window, with finds in it), none, or facility codes separated by commas.
    /// </summary>
    [WolverineGet("/api/interventions/{id}/effect", OperationId = "getInterventionEffect")]
    public static async Task<Results<Ok<InterventionEffect>, ProblemHttpResult>> Get(Guid id, string? months, string? measure, string? controls, string? kind,
        FacilityCatalog facilities, ReferenceData reference, TimeProvider time, IQuerySession session, CancellationToken token)
    {
        if (await session.LoadAsync<Intervention>(id, token) is not { } intervention)
            return TypedResults.Problem(statusCode: 404, title: "Unknown intervention", detail: $"No intervention has the id {id}.");

        var problems = new Problems();
        var span = 24;
        if (!string.IsNullOrWhiteSpace(months) && (!int.TryParse(months.Trim(), CultureInfo.InvariantCulture, out span) || span is < 3 or > 120))
            problems.Fail("months", "must be a whole number of months from 3 to 120");
        var m = string.IsNullOrWhiteSpace(measure) ? "count" : measure.Trim().ToLowerInvariant();
        if (!Measures.Contains(m)) problems.Fail("measure", "must be count, grams or rate");
        Term? effortKind = null;
        if (m == "rate")
        {
            var wanted = string.IsNullOrWhiteSpace(kind) ? DefaultEffortKind(intervention.Kind) : kind;
            if ((effortKind = reference.Find(ReferenceData.EffortKinds, wanted)) is null)
                problems.Fail("kind", $"'{wanted}' is not a known kind of search effort (see GET /api/reference/{ReferenceData.EffortKinds})");
        }
        else if (!string.IsNullOrWhiteSpace(kind)) problems.Fail("kind", "applies to measure=rate only");
        List<string>? named = null;
        var c = string.IsNullOrWhiteSpace(controls) ? "auto" : controls.Trim();
        if (c is not ("auto" or "none"))
        {
            named = [];
            var parts = c.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            for (var i = 0; i < parts.Length; i++)
                if (facilities.Resolve(parts[i]) is not { } f) problems.Fail("controls", $"'{parts[i]}' is not a known facility code or alias, nor auto or none");
                else if (intervention.Facilities.Contains(f.Code)) problems.Fail("controls", $"{f.Code} is one of the intervention's own facilities");
                else if (!named.Contains(f.Code)) named.Add(f.Code);
        }
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad effect query"));

        // The window: full months before the start's month; after, from the first full month to the last full month so far.
        var started = intervention.StartedOn;
        var startMonth = MonthlyBucket.IndexOf(started.Year, started.Month);
        var firstAfter = started.Day == 1 ? startMonth : startMonth + 1;
        var today = Calendar.LocalCalendar.LocalDate(time.GetUtcNow());
        var lastFull = MonthlyBucket.IndexOf(today.Year, today.Month) - 1;
        int lo = startMonth - span, hi = Math.Min(firstAfter + span - 1, lastFull);
        var warnings = new List<string>();
        if (hi < firstAfter)
            return TypedResults.Problem(Problems.Invalid("id", "the intervention has no full month after its start yet", "Bad effect query"));
        if (hi < firstAfter + span - 1)
            warnings.Add($"The after window is cut at {Label(hi)}, the last full month so far: {hi - firstAfter + 1} of {span} months.");

        var measureOf = await MeasureAsync(session, m, effortKind, lo, hi, reference, token);
        var treated = await measureOf(intervention.Facilities);

        // Controls: named, or comparable facilities (same type), without an intervention of their own in the window, with finds in it.
        var others = (await session.Query<Intervention>().ToListAsync(token)).Where(i => i.Id != intervention.Id).ToList();
        var windowFrom = new DateOnly(lo / 12, lo % 12 + 1, 1);
        var windowTo = new DateOnly(hi / 12, hi % 12 + 1, 1).AddMonths(1).AddDays(-1);
        var used = new List<ControlFacility>();
        var notUsed = new List<ControlFacility>();
        var types = intervention.Facilities.Select(f => facilities.Resolve(f)?.Type).OfType<string>().ToHashSet();
        var candidates = named ?? (c == "none" ? [] : facilities.All.Where(f => !intervention.Facilities.Contains(f.Code)).Select(f => f.Code).ToList());
        var controlSeries = new List<IReadOnlyDictionary<int, double>>();
        foreach (var code in candidates)
        {
            var f = facilities.Resolve(code)!;
            var own = others.FirstOrDefault(i => i.Facilities.Contains(code) && i.StartedOn >= windowFrom && i.StartedOn <= windowTo);
            if (named is null && !types.Contains(f.Type)) continue; // not comparable: not listed, there are dozens
            if (own is not null)
            {
                notUsed.Add(new ControlFacility(code, f.Name, $"has its own intervention in the window ({own.Kind} from {Date(own.StartedOn)})"));
                continue;
            }
            var values = await measureOf([code]);
            if (named is null && values.Values.All(v => v == 0))
            {
                notUsed.Add(new ControlFacility(code, f.Name, m == "rate" ? "no finds or no effort in the window" : "no finds in the window"));
                continue;
            }
            controlSeries.Add(values);
            used.Add(new ControlFacility(code, f.Name, named is not null
                ? "named in the request"
                : $"same type ({f.Type}) as the treated facilities, no registered intervention in the window, finds in the window"));
        }

        // The points: every month of the window but the start's own (when partial) and months without a value (rate without effort).
        var points = new List<(int Month, double Treated, double? Control)>();
        var missing = new List<string>();
        for (var month = lo; month <= hi; month++)
        {
            if (month == startMonth && firstAfter != startMonth) continue;
            if (!treated.TryGetValue(month, out var value)) { missing.Add(Label(month)); continue; }
            double? control = null;
            if (controlSeries.Count > 0)
            {
                var values = controlSeries.Where(s => s.ContainsKey(month)).Select(s => s[month]).ToList();
                control = values.Count > 0 ? values.Average() : null;
            }
            points.Add((month, value, control));
        }
        if (missing.Count > 0)
            warnings.Add($"Missing months (no {effortKind?.En.ToLowerInvariant() ?? "value"} recorded, left out of the fit): {string.Join(", ", missing)}. " +
                         "The Newey–West errors assume equally spaced months.");

        var before = points.Where(p => p.Month < firstAfter).ToList();
        var after = points.Where(p => p.Month >= firstAfter).ToList();
        if (before.Count < MinimumPointsPerSide || after.Count < MinimumPointsPerSide)
            warnings.Add($"Fewer than {MinimumPointsPerSide} points on a side ({before.Count} before, {after.Count} after): level and slope changes " +
                         "are poorly determined and seasonality may be confused with the intervention.");
        var seasonal = points.Count > 0 && points[^1].Month - points[0].Month + 1 >= 24;
        if (!seasonal) warnings.Add("The series covers less than 24 months: no adjustment for the month of year.");

        if (intervention.CoInterventions.Count > 0)
            warnings.Add($"Introduced at the same time: {string.Join("; ", intervention.CoInterventions)}. The effect cannot be attributed to one of them.");
        foreach (var other in others.Where(o => o.Facilities.Intersect(intervention.Facilities).Any() &&
                                                Math.Abs(o.StartedOn.DayNumber - started.DayNumber) <= 31))
            warnings.Add($"Another registered intervention at the same facility started within a month: {other.Kind} from {Date(other.StartedOn)} " +
                         $"({other.Description}). The effect cannot be attributed to one of them.");
        warnings.AddRange(await EffortChangeAsync(session, intervention.Facilities, startMonth, firstAfter, reference, token));
        if (controlSeries.Count == 0)
            warnings.Add(c == "none"
                ? "No controls asked for: the estimate cannot separate the intervention from changes that touched every facility."
                : "No control facility qualified: the estimate cannot separate the intervention from changes that touched every facility.");

        var t = points.Select(p => (double)(p.Month - lo)).ToList();
        var isAfter = points.Select(p => p.Month >= firstAfter).ToList();
        var calendar = seasonal ? points.Select(p => p.Month % 12 + 1).ToList() : null;
        var start = firstAfter - lo;
        // Month-of-year dummies need the trend and the level change to differ from the window's years: a window of exactly two
        // years split at its middle cannot tell them apart, so the fit falls back to no seasonal terms and says so.
        SegmentedFit? FitSeasonalIfPossible(IReadOnlyList<double> y, IReadOnlyList<double> times, IReadOnlyList<bool> afterFlags, IReadOnlyList<int>? months) =>
            (months is null ? null : SegmentedRegression.Fit(y, times, afterFlags, start, months)) ?? SegmentedRegression.Fit(y, times, afterFlags, start);
        var single = points.Count > 0 ? FitSeasonalIfPossible(points.Select(p => p.Treated).ToList(), t, isAfter, calendar) : null;
        if (seasonal && single is { Seasonal: false })
            warnings.Add("Month-of-year adjustment is not identifiable with this window (the trend and the level change coincide with its years): " +
                         "fitted without it; ask for more months.");
        SegmentedFit? comparative = null;
        var paired = points.Select((p, i) => (p, i)).Where(x => x.p.Control is not null).ToList();
        if (paired.Count > 0)
            comparative = FitSeasonalIfPossible(paired.Select(x => x.p.Treated - x.p.Control!.Value).ToList(), paired.Select(x => t[x.i]).ToList(),
                paired.Select(x => isAfter[x.i]).ToList(), calendar is null ? null : paired.Select(x => calendar[x.i]).ToList());
        if (single is null) warnings.Add("Too few points to fit the model.");

        var series = points.Select((p, i) =>
        {
            var pair = paired.FindIndex(x => x.i == i);
            return new EffectPoint(Label(p.Month), p.Month >= firstAfter, Math.Round(p.Treated, 6), p.Control is { } cv ? Math.Round(cv, 6) : null,
                single is null ? null : Math.Round(single.Fitted[i], 6), single is null ? null : Math.Round(single.Counterfactual[i], 6),
                p.Control is { } d ? Math.Round(p.Treated - d, 6) : null,
                comparative is not null && pair >= 0 ? Math.Round(comparative.Fitted[pair], 6) : null);
        }).ToList();

        return TypedResults.Ok(new InterventionEffect(intervention.Id, intervention.Kind, intervention.Facilities, Date(started), m, effortKind?.Code,
            firstAfter != startMonth ? Label(startMonth) : null,
            new EffectWindow(Label(lo), Label(startMonth - 1), startMonth - lo, before.Count),
            new EffectWindow(Label(firstAfter), Label(hi), hi - firstAfter + 1, after.Count),
            Result("interrupted time series, treated facilities", single), Result("comparative interrupted time series, treated minus controls", comparative),
            used, notUsed, series, warnings, Method));
    }

    private static ModelResult? Result(string model, SegmentedFit? fit) => fit is null
        ? null
        : new ModelResult(model, fit.Coefficients.Where(c => !c.Name.StartsWith("month ", StringComparison.Ordinal))
            .Select(c => c with
            {
                Value = Math.Round(c.Value, 6), StandardError = Math.Round(c.StandardError, 6), Lower = Math.Round(c.Lower, 6),
                Upper = Math.Round(c.Upper, 6), PValue = Math.Round(c.PValue, 6),
            }).ToList(), fit.Points, fit.Parameters, fit.Lag, fit.Seasonal);

    /// <summary>The effort kind whose finds an intervention of that kind should move.</summary>
    public static string DefaultEffortKind(string interventionKind) => interventionKind switch
    {
        "dog-team" => "dog-team-hours",
        "body-scanner" => "visitors-searched",
        "staff-screening" => "staff-searches",
        _ => "parcels-xrayed",
    };

    /// <summary>
    /// A function giving a set of facilities' monthly values: counts and grams of every counted seizure (months without
    /// finds are 0); rates of the matching detection method per 1,000 units of effort (months without effort absent).
    /// </summary>
    private static async Task<Func<IReadOnlyList<string>, Task<IReadOnlyDictionary<int, double>>>> MeasureAsync(IQuerySession session, string measure, Term? kind,
        int lo, int hi, ReferenceData reference, CancellationToken token)
    {
        await Task.CompletedTask;
        return async codes =>
        {
            var values = new Dictionary<int, double>();
            if (measure != "rate")
            {
                for (var month = lo; month <= hi; month++) values[month] = 0;
                foreach (var code in codes)
                    foreach (var total in await new BucketFilter(null, null, null, code, null, null, null).SumByMonthAsync(session, lo, hi, token))
                        values[total.MonthIndex] += measure == "count" ? total.Count : (double)total.Grams;
                return values;
            }
            var effort = (await EffortQueries.EntriesAsync(session, codes.ToList(), lo, hi, token)).Where(e => e.Kind == kind!.Code).ToList();
            var finds = new Dictionary<int, int>();
            foreach (var code in codes)
                foreach (var total in await new BucketFilter(null, null, null, code, null, kind!.Detection, null).SumByMonthAsync(session, lo, hi, token))
                    finds[total.MonthIndex] = finds.GetValueOrDefault(total.MonthIndex) + total.Count;
            foreach (var month in effort.GroupBy(e => e.MonthIndex))
            {
                var amount = month.Sum(e => e.Amount);
                if (amount > 0) values[month.Key] = finds.GetValueOrDefault(month.Key) * 1000.0 / (double)amount;
            }
            return values;
        };
    }

    /// <summary>Warnings when a kind of effort at the treated facilities changed by a fifth or more between the 6 months before and after.</summary>
    private static async Task<IReadOnlyList<string>> EffortChangeAsync(IQuerySession session, IReadOnlyList<string> facilities, int startMonth, int firstAfter,
        ReferenceData reference, CancellationToken token)
    {
        var effort = await EffortQueries.EntriesAsync(session, facilities.ToList(), startMonth - 6, firstAfter + 5, token);
        var warnings = new List<string>();
        foreach (var kind in reference.Vocabulary(ReferenceData.EffortKinds) ?? [])
        {
            var entries = effort.Where(e => e.Kind == kind.Code).ToList();
            var before = entries.Where(e => e.MonthIndex < startMonth).GroupBy(e => e.MonthIndex).Select(g => g.Sum(e => e.Amount)).ToList();
            var after = entries.Where(e => e.MonthIndex >= firstAfter).GroupBy(e => e.MonthIndex).Select(g => g.Sum(e => e.Amount)).ToList();
            if (before.Count == 0 || after.Count == 0) continue;
            decimal b = before.Average(), a = after.Average();
            if (b == 0 || Math.Abs(a - b) / b < 0.2m) continue;
            warnings.Add($"{kind.En} changed at the same time: {b:0.#} a month in the 6 months before, {a:0.#} after ({(a - b) / b * 100m:+0.0;-0.0} %). " +
                         "More (or fewer) finds may reflect more (or less) searching: compare measure=rate.");
        }
        return warnings;
    }

    private static string Label(int month) => GetTrendsEndpoint.Label(month, "month");
    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
