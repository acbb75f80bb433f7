using System.Globalization;

namespace SeizureIntel.Intelligence.Decomposition;

/// <summary>
/// The change in grams from a baseline year to a year, split: G = N × M (N seizures with a known mass, M their mean mass),
/// ΔG = ΔN·(M0 + M1)/2 [more or fewer seizures] + ΔM·(N0 + N1)/2 [larger or smaller ones], an exact, order-free split.
/// Also the change in the mass of the largest 1 % of seizures (the ceil(1 % of N) largest of each year) and in the
/// single largest, and a percentile bootstrap interval for ΔG (seizures resampled with replacement within each year).
/// </summary>
public sealed record Decomposed(
    int YearSeizures, int BaselineSeizures, decimal YearGrams, decimal BaselineGrams, decimal ChangeGrams,
    decimal YearMeanGrams, decimal BaselineMeanGrams, decimal FromNumber, decimal FromSize,
    int TopCountYear, int TopCountBaseline, decimal TopOnePercentYearGrams, decimal TopOnePercentBaselineGrams, decimal FromTopOnePercent,
    decimal ChangeWithoutTopOnePercent, decimal LargestYearGrams, decimal LargestBaselineGrams, decimal FromLargest,
    decimal BootstrapLower, decimal BootstrapUpper, int BootstrapSamples, int Seed);

public static class ChangeDecomposition
{
    public static Decomposed Decompose(IReadOnlyList<decimal> year, IReadOnlyList<decimal> baseline, int samples, int seed)
    {
        decimal n1 = year.Count, n0 = baseline.Count;
        decimal g1 = year.Sum(), g0 = baseline.Sum();
        var m1 = n1 == 0 ? 0 : g1 / n1;
        var m0 = n0 == 0 ? 0 : g0 / n0;
        var fromNumber = Round((n1 - n0) * (m0 + m1) / 2);
        var fromSize = Round(g1 - g0 - fromNumber); // = ΔM·(N0 + N1)/2, taken as the rest so the parts add up exactly
        int k1 = TopCount(year.Count), k0 = TopCount(baseline.Count);
        var top1 = year.OrderByDescending(g => g).Take(k1).Sum();
        var top0 = baseline.OrderByDescending(g => g).Take(k0).Sum();
        var largest1 = year.Count == 0 ? 0 : year.Max();
        var largest0 = baseline.Count == 0 ? 0 : baseline.Max();

        var random = new Random(seed);
        var changes = new double[samples];
        for (var b = 0; b < samples; b++)
            changes[b] = (double)(Resample(year, random) - Resample(baseline, random));
        Array.Sort(changes);
        decimal Quantile(double p) => samples == 0 ? 0 : Round((decimal)changes[Math.Clamp((int)Math.Floor(p * samples), 0, samples - 1)]);

        return new Decomposed(year.Count, baseline.Count, g1, g0, g1 - g0, Round(m1), Round(m0), fromNumber, fromSize, k1, k0, top1, top0, top1 - top0,
            g1 - g0 - (top1 - top0), largest1, largest0, largest1 - largest0, Quantile(0.025), Quantile(0.975), samples, seed);
    }

    /// <summary>The number of seizures in a year's top 1 %: ceil(1 % of N), at least one when there is any.</summary>
    public static int TopCount(int n) => n == 0 ? 0 : (int)Math.Ceiling(n / 100.0);

    private static decimal Resample(IReadOnlyList<decimal> values, Random random)
    {
        decimal sum = 0;
        for (var i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
        return sum;
    }

    private static decimal Round(decimal grams) => Math.Round(grams, 3);

    /// <summary>"Of the +21.0 kg, +X came from N more seizures and +Y from larger ones; the single largest seizure was Z kg."</summary>
    public static string Paragraph(Decomposed d, int year, int baseline, string language, PurityAdjusted? purity = null)
    {
        var text = Counts(d, year, baseline, language);
        return purity is null ? text : text + " " + PuritySentence(purity, year, baseline, language);
    }

    /// <summary>
    /// "Lab purity is known for 3 seizures holding 41.2 % of 2015's grams (2 holding 12.0 % of 2014's); in them the pure
    /// substance went from 0.1 kg to 0.3 kg (+0.2 kg)." — or that no purity is known, so no purity-adjusted figure is given.
    /// </summary>
    public static string PuritySentence(PurityAdjusted p, int year, int baseline, string language)
    {
        var ru = language == "ru";
        var culture = ru ? CultureInfo.GetCultureInfo("ru-RU") : CultureInfo.InvariantCulture;
        string Kg(decimal grams, bool sign = false) => (sign && grams >= 0 ? "+" : "") + (grams / 1000m).ToString("0.0", culture) + (ru ? " кг" : " kg");
        string Pct(decimal? share) => share is { } s ? s.ToString("0.0", culture) + " %" : "—";
        if (p.Pure is null)
            return ru
                ? $"Чистота по данным лаборатории не известна ни для одного изъятия {baseline} и {year} годов, поэтому пересчёт на чистое вещество не приводится."
                : $"No lab purity is recorded for any seizure of {baseline} or {year}, so no purity-adjusted figure is given.";
        return ru
            ? $"Чистота по данным лаборатории известна для части изъятий {year} года ({p.YearSeizures} шт., {Pct(p.YearCoveredPercent)} массы) " +
              $"и {baseline} года ({p.BaselineSeizures} шт., {Pct(p.BaselineCoveredPercent)} массы); в них чистого вещества " +
              $"{Kg(p.BaselinePureGrams)} в {baseline} году и {Kg(p.YearPureGrams)} в {year} году ({Kg(p.YearPureGrams - p.BaselinePureGrams, true)})."
            : $"Lab purity is known for {p.YearSeizures} seizure{(p.YearSeizures == 1 ? "" : "s")} holding {Pct(p.YearCoveredPercent)} of {year}'s grams " +
              $"({p.BaselineSeizures} holding {Pct(p.BaselineCoveredPercent)} of {baseline}'s); in them the pure substance went from " +
              $"{Kg(p.BaselinePureGrams)} to {Kg(p.YearPureGrams)} ({Kg(p.YearPureGrams - p.BaselinePureGrams, true)}).";
    }

    private static string Counts(Decomposed d, int year, int baseline, string language)
    {
        var ru = language == "ru";
        var culture = ru ? CultureInfo.GetCultureInfo("ru-RU") : CultureInfo.InvariantCulture;
        string Kg(decimal grams, bool sign = true) => (sign && grams >= 0 ? "+" : "") + (grams / 1000m).ToString("0.0", culture) + (ru ? " кг" : " kg");
        var more = d.YearSeizures - d.BaselineSeizures;
        var count = Math.Abs(more);
        if (ru)
            return $"Из изменения на {Kg(d.ChangeGrams)} в {year} году по сравнению с {baseline} годом {Kg(d.FromNumber)} приходится на " +
                   (more >= 0 ? $"увеличение числа изъятий на {count}" : $"уменьшение числа изъятий на {count}") +
                   $" и {Kg(d.FromSize)} — на изменение их среднего размера ({Kg(d.YearMeanGrams, false)} против {Kg(d.BaselineMeanGrams, false)}); " +
                   $"крупнейшие 1 % изъятий дали {Kg(d.FromTopOnePercent)}; самое крупное изъятие {year} года — {Kg(d.LargestYearGrams, false)} " +
                   $"(в {baseline} году — {Kg(d.LargestBaselineGrams, false)}). 95 % бутстреп-интервал изменения: от {Kg(d.BootstrapLower)} до {Kg(d.BootstrapUpper)}.";
        return $"Of the {Kg(d.ChangeGrams)} change from {baseline} to {year}, {Kg(d.FromNumber)} came from {count} {(more >= 0 ? "more" : "fewer")} " +
               $"seizure{(count == 1 ? "" : "s")} and {Kg(d.FromSize)} from {(d.FromSize >= 0 ? "larger" : "smaller")} ones " +
               $"(mean {Kg(d.YearMeanGrams, false)} against {Kg(d.BaselineMeanGrams, false)}); the largest 1 % of seizures account for {Kg(d.FromTopOnePercent)}; " +
               $"the single largest seizure was {Kg(d.LargestYearGrams, false)} ({Kg(d.LargestBaselineGrams, false)} in {baseline}). " +
               $"95 % bootstrap interval for the change: {Kg(d.BootstrapLower)} to {Kg(d.BootstrapUpper)}.";
    }
}
