using System.Text.RegularExpressions;

namespace SeizureIntel.Benchmarks;

/// <summary>What every benchmark command shares: its percentile and its check of the scratch schema's name.</summary>
public static partial class Bench
{
    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>A plain, unquoted PostgreSQL identifier: safe to put into SQL text as a schema name.</summary>
    public static bool IsPlainIdentifier(string name) => Identifier().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
