using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Comparison;

public sealed record CountGrams(int Count, decimal Grams);

/// <summary>Percent change from the baseline, one decimal; null when the baseline is zero (no finite change).</summary>
public sealed record ChangePercent(decimal? Count, decimal? Grams);

public sealed record ComparisonRow(string Key, CountGrams Baseline, CountGrams Current, CountGrams Change, ChangePercent ChangePercent);

/// <summary>With national=KGZ also, per compared year and substance group, the country's figures reported to UNODC beside the node's and the share.</summary>
public sealed record YearComparison(int Year, int Baseline, string By, IReadOnlyList<ComparisonRow> Rows, ComparisonRow Total,
    National.NationalByGroup? National = null);

public static class GetComparisonEndpoint
{
    private static readonly Dictionary<string, Func<YearSummary, SortedDictionary<string, Tally>>> Breakdowns = new()
    {
        ["substance"] = s => s.BySubstance,
        ["group"] = s => s.ByGroup,
        ["agency"] = s => s.ByAgency,
        ["facility"] = s => s.ByFacility,
        ["oblast"] = s => s.ByOblast,
        ["detection"] = s => s.ByDetection,
        ["entry"] = s => s.ByEntry,
    };

    /// <summary>
    /// Year over year: counted seizures and best-weight grams of <paramref name="year"/> against <paramref name="baseline"/>
    /// (default: the year before), row by row of one breakdown (by=substance, group, agency, facility, oblast, detection or
    /// entry; default substance), plus the total. Read from the year summaries the ledger projection keeps. With
    /// national=KGZ (an ISO 3166-1 alpha-3 code; edition= names a UNODC edition, default the newest), national gives, for
    /// both years and every substance group either side has, the country's seizures reported to UNODC (kg), the node's
    /// own grams and kg of the group (all agencies), the share in %, the national figure's caveats and a sentence, with the
    /// source and edition cited; 404 when no edition (or not the named one) is imported.
    /// </summary>
    [WolverineGet("/api/compare", OperationId = "compareYears")]
    public static async Task<Results<Ok<YearComparison>, ProblemHttpResult>> Get(
        string? year, string? baseline, string? by, string? national, string? edition, ReferenceData reference, TimeProvider time,
        IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        int? Year(string field, string? value, bool required)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required) problems.Fail(field, "is required (a year such as 2015)");
                return null;
            }
            return Bounds.Year(problems, field, value, time.GetUtcNow(), required);
        }
        var current = Year("year", year, required: true);
        var before = Year("baseline", baseline, required: false) ?? current - 1;
        var dimension = string.IsNullOrWhiteSpace(by) ? "substance" : by.Trim().ToLowerInvariant();
        if (!Breakdowns.TryGetValue(dimension, out var breakdown))
            problems.Fail("by", $"must be one of {string.Join(", ", Breakdowns.Keys)}");
        if (current is not null && before == current) problems.Fail("baseline", "must differ from year");
        var country = National.NationalFigures.Country(problems, "national", national);
        if (country is null && !string.IsNullOrWhiteSpace(edition) && string.IsNullOrWhiteSpace(national)) problems.Fail("edition", "is taken only with national=");
        if (problems.Any || current is null || before is null || breakdown is null) return TypedResults.Problem(problems.Invalid("Bad comparison"));

        var docs = await session.LoadManyAsync<YearSummary>(token, YearSummary.IdFor(before.Value), YearSummary.IdFor(current.Value));
        var b = docs.FirstOrDefault(d => d.Year == before) ?? new YearSummary { Year = before.Value };
        var c = docs.FirstOrDefault(d => d.Year == current) ?? new YearSummary { Year = current.Value };

        var rows = breakdown(b).Keys.Union(breakdown(c).Keys).Order(StringComparer.Ordinal)
            .Select(k => Row(k, breakdown(b).GetValueOrDefault(k), breakdown(c).GetValueOrDefault(k))).ToList();
        National.NationalByGroup? beside = null;
        if (country is not null)
        {
            var own = new[] { b, c }.SelectMany(s => s.ByGroup.Select(g => (Key: (s.Year, g.Key), g.Value.Grams))).ToDictionary(x => x.Key, x => x.Grams);
            var (built, missing) = await National.NationalComparison.ByGroupAsync(session, reference, country, edition, [before.Value, current.Value], own,
                null, "en", noneIsNote: false, token);
            if (missing is not null) return TypedResults.Problem(missing);
            beside = built;
        }
        return TypedResults.Ok(new YearComparison(current.Value, before.Value, dimension, rows, Row("total", b.Total, c.Total), beside));
    }

    private static ComparisonRow Row(string key, Tally? before, Tally? now)
    {
        var b = new CountGrams(before?.Count ?? 0, before?.Grams ?? 0);
        var c = new CountGrams(now?.Count ?? 0, now?.Grams ?? 0);
        var change = new CountGrams(c.Count - b.Count, Tally.Canonical(c.Grams - b.Grams));
        return new ComparisonRow(key, b, c, change, new ChangePercent(Rows.PercentChange(change.Count, b.Count), Rows.PercentChange(change.Grams, b.Grams)));
    }

}
