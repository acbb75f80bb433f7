using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Decomposition;

public sealed record DecompositionGroup(string Key, Decomposed Figures, string Paragraph);

public sealed record DecompositionAnswer(int Year, int Baseline, string? By, Decomposed Total, string Paragraph, string ParagraphRu,
    IReadOnlyList<DecompositionGroup> Groups, int SeizuresWithoutMass, PurityAdjusted Purity, string Method);

public static class GetDecompositionEndpoint
{
    public const int Samples = 2000;
    private static readonly string[] Dimensions = ["agency", "facility", "substance-group", "detection"];

    public const string Method =
        "Counted seizures (not void, not duplicates) with a known mass, by local date, best weights (lab net weight, else the field figure). " +
        "G = N × M; ΔG = ΔN·(M0 + M1)/2 (number) + ΔM·(N0 + N1)/2 (size), which add up to ΔG exactly. Top 1 %: the ceil(N/100) largest seizures " +
        "of each year. Bootstrap: 2,000 resamples of each year's seizures with replacement (seeded, so the same data and seed give the same " +
        "interval), 2.5th and 97.5th percentiles of ΔG. Seizures without a known mass are counted apart and left out. Purity: where the " +
        "latest lab result of a seizure gives a purity, pure grams = lab net weight × purity / 100; the same split is made of the pure grams " +
        "of those seizures only, with the share of each year's grams they hold (purity is not imputed for the others).";

    /// <summary>
    /// The change in grams from baseline (default year − 1) to year, split into more or fewer seizures, larger or smaller
    /// ones, the largest 1 % and the single largest, with a bootstrap interval; by= agency, facility, substance-group or
    /// detection also splits each group. seed= fixes the bootstrap (default 17).
    /// </summary>
    [WolverineGet("/api/compare/decomposition", OperationId = "getChangeDecomposition")]
    public static async Task<Results<Ok<DecompositionAnswer>, ProblemHttpResult>> Get(int? year, int? baseline, string? by, int? seed, ReferenceData reference,
        IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        if (year is null) problems.Fail("year", "is required");
        else if (year is < 1990 or > 2100) problems.Fail("year", "must be between 1990 and 2100");
        var b = baseline ?? year - 1;
        if (b is < 1990 or > 2100) problems.Fail("baseline", "must be between 1990 and 2100");
        else if (b == year) problems.Fail("baseline", "must differ from year");
        var dimension = string.IsNullOrWhiteSpace(by) ? null : by.Trim().ToLowerInvariant();
        if (dimension is not null && !Dimensions.Contains(dimension)) problems.Fail("by", $"must be one of {string.Join(", ", Dimensions)}");
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad decomposition query"));

        var facts = await session.Query<SeizureFact>().ToListAsync(token);
        var contributions = facts.Select(f => f.Contribution(reference)).OfType<Contribution>().Where(c => c.Year == year || c.Year == b).ToList();
        var withMass = contributions.Where(c => c.Grams is not null).ToList();
        var purities = await PurityAdjustment.PuritiesAsync(session, null, token);
        var s = seed ?? 17;
        Decomposed Of(IEnumerable<Contribution> set) =>
            ChangeDecomposition.Decompose(set.Where(c => c.Year == year).Select(c => c.Grams!.Value).ToList(),
                set.Where(c => c.Year == b).Select(c => c.Grams!.Value).ToList(), Samples, s);

        var total = Of(withMass);
        var purity = PurityAdjustment.Adjust(PurityAdjustment.Masses(facts, purities, reference, year!.Value, b!.Value, null), year.Value, b.Value, Samples, s);
        var groups = dimension is null
            ? []
            : withMass.GroupBy(c => dimension switch
                {
                    "agency" => c.Agency,
                    "facility" => c.FacilityId ?? "none",
                    "substance-group" => c.SubstanceGroup,
                    _ => c.Detection,
                }).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => Of(g) is var d ? new DecompositionGroup(g.Key, d, ChangeDecomposition.Paragraph(d, year!.Value, b!.Value, "en")) : null!)
                .ToList();
        return TypedResults.Ok(new DecompositionAnswer(year.Value, b.Value, dimension, total,
            ChangeDecomposition.Paragraph(total, year.Value, b.Value, "en", purity), ChangeDecomposition.Paragraph(total, year.Value, b.Value, "ru", purity), groups,
            contributions.Count(c => c.Grams is null), purity, Method));
    }
}
