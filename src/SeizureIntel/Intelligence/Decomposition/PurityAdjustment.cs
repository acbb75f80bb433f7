using Marten.Events;
using Marten;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Partners;

namespace SeizureIntel.Intelligence.Decomposition;

/// <summary>
/// The change in pure substance where a lab gave the purity: for each counted seizure whose latest lab result (own or
/// a partner's) carries a purity, pure grams = the lab's net weight × purity / 100. <see cref="Pure"/> decomposes the
/// pure grams of those seizures only (null when neither year has any); the covered shares say how much of each year's
/// grams (best weights) that is, in % with one decimal (null when the year has no grams).
/// </summary>
public sealed record PurityAdjusted(
    int YearSeizures, int BaselineSeizures, decimal YearCoveredGrams, decimal BaselineCoveredGrams,
    decimal? YearCoveredPercent, decimal? BaselineCoveredPercent, decimal YearPureGrams, decimal BaselinePureGrams, Decomposed? Pure);

/// <summary>One counted seizure with a known mass: its contribution and the purity of its latest lab result, if any.</summary>
public sealed record MassWithPurity(Contribution Contribution, decimal? PurityPercent)
{
    public decimal Grams => Contribution.Grams!.Value;

    /// <summary>Pure grams: only where the lab weighed it (the best weight is the lab's) and gave a purity.</summary>
    public decimal? PureGrams => PurityPercent is { } p && Contribution.LabConfirmedGrams is { } lab ? Math.Round(lab * p / 100m, 3) : null;
}

public static class PurityAdjustment
{
    /// <summary>
    /// The purity of each seizure's latest lab result (null when that result gave none), from the lab-result and
    /// partner-record events recorded up to <paramref name="asOf"/> (all when null), in the order they were stored:
    /// the same rule as the ledger's lab net weight, so purity and weight always come from the same result.
    /// </summary>
    public static async Task<Dictionary<Guid, decimal?>> PuritiesAsync(IQuerySession session, DateTimeOffset? asOf, CancellationToken token)
    {
        var query = session.Events.QueryAllRawEvents().Where(e => e.EventTypesAre(typeof(LabAnalysisReported), typeof(PartnerSeizureReceived)));
        if (asOf is { } at)
        {
            var cutOff = at.ToUniversalTime();
            query = query.Where(e => e.Timestamp <= cutOff);
        }
        var purities = new Dictionary<Guid, decimal?>();
        foreach (var e in await query.OrderBy(e => e.Sequence).ToListAsync(token))
            purities[e.StreamId] = e.Data switch
            {
                LabAnalysisReported lab => lab.PurityPercent,
                PartnerSeizureReceived partner => partner.Seizure.Lab?.PurityPercent,
                _ => null,
            };
        return purities;
    }

    /// <summary>The counted seizures of the two years with a known mass, each with its purity (one agency's only, when given).</summary>
    public static List<MassWithPurity> Masses(IEnumerable<SeizureFact> facts, IReadOnlyDictionary<Guid, decimal?> purities, ReferenceData reference,
        int year, int baseline, string? agency) =>
        facts.Select(f => (f.Id, Contribution: f.Contribution(reference)))
            .Where(x => x.Contribution is { Grams: not null } c && (c.Year == year || c.Year == baseline) && (agency is null || c.Agency == agency))
            .Select(x => new MassWithPurity(x.Contribution!, purities.GetValueOrDefault(x.Id)))
            .ToList();

    public static PurityAdjusted Adjust(IReadOnlyList<MassWithPurity> masses, int year, int baseline, int samples, int seed)
    {
        var y = masses.Where(m => m.Contribution.Year == year).ToList();
        var b = masses.Where(m => m.Contribution.Year == baseline).ToList();
        var yPure = y.Where(m => m.PureGrams is not null).ToList();
        var bPure = b.Where(m => m.PureGrams is not null).ToList();
        decimal yCovered = yPure.Sum(m => m.Grams), bCovered = bPure.Sum(m => m.Grams);
        var pure = yPure.Count + bPure.Count == 0
            ? null
            : ChangeDecomposition.Decompose(yPure.Select(m => m.PureGrams!.Value).ToList(), bPure.Select(m => m.PureGrams!.Value).ToList(), samples, seed);
        return new PurityAdjusted(yPure.Count, bPure.Count, yCovered, bCovered, Share(yCovered, y.Sum(m => m.Grams)), Share(bCovered, b.Sum(m => m.Grams)),
            yPure.Sum(m => m.PureGrams!.Value), bPure.Sum(m => m.PureGrams!.Value), pure);
    }

    private static decimal? Share(decimal part, decimal whole) => whole == 0 ? null : Math.Round(100m * part / whole, 1, MidpointRounding.AwayFromZero);
}
