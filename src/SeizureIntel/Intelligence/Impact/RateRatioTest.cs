namespace SeizureIntel.Intelligence.Impact;

/// <summary>The outcome of <see cref="RateRatioTest.Run"/>. Null bounds are infinite; a null ratio is undefined or infinite.</summary>
public sealed record RateRatioResult(int Before, int After, double ExposureBefore, double ExposureAfter, double? RateRatio, double Lower, double? Upper, double PValue);

/// <summary>
/// Exact comparison of two Poisson counts (events before and after, over their exposures), conditional on their total:
/// under no change, After | (Before + After = n) is Binomial(n, p0) with p0 = T_after / (T_before + T_after).
/// The Clopper–Pearson interval for p is mapped to the rate ratio by RR = p / (1 − p) × T_before / T_after; the two-sided
/// p-value sums the probabilities of all outcomes no more likely than the observed one (as R's binom.test and poisson.test do).
/// The beta quantiles are found by bisection on the regularized incomplete beta function (continued fraction).
/// </summary>
public static class RateRatioTest
{
    public static RateRatioResult Run(int before, int after, double exposureBefore, double exposureAfter, double level = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        if (exposureBefore <= 0 || exposureAfter <= 0) throw new ArgumentOutOfRangeException(nameof(exposureBefore), "exposures must be positive");
        var n = before + after;
        var scale = exposureBefore / exposureAfter;
        double? ratio = before == 0 ? (after == 0 ? null : double.PositiveInfinity) : after / exposureAfter / (before / exposureBefore);
        if (ratio is double r && double.IsInfinity(r)) ratio = null;
        if (n == 0) return new RateRatioResult(before, after, exposureBefore, exposureAfter, null, 0, null, 1);

        var alpha = 1 - level;
        var pLower = after == 0 ? 0 : BetaQuantile(alpha / 2, after, n - after + 1);
        var pUpper = after == n ? 1 : BetaQuantile(1 - alpha / 2, after + 1, n - after);
        double? upper = pUpper >= 1 ? null : pUpper / (1 - pUpper) * scale;
        var p0 = exposureAfter / (exposureBefore + exposureAfter);
        return new RateRatioResult(before, after, exposureBefore, exposureAfter, ratio, pLower / (1 - pLower) * scale, upper, TwoSidedP(after, n, p0));
    }

    /// <summary>Sum of Binomial(n, p) probabilities of outcomes no more likely than <paramref name="x"/> (relative tolerance 1e-7).</summary>
    public static double TwoSidedP(int x, int n, double p)
    {
        var observed = BinomialPmf(x, n, p);
        var sum = 0.0;
        for (var k = 0; k <= n; k++)
        {
            var pk = BinomialPmf(k, n, p);
            if (pk <= observed * (1 + 1e-7)) sum += pk;
        }
        return Math.Min(1, sum);
    }

    public static double BinomialPmf(int k, int n, double p)
    {
        if (p <= 0) return k == 0 ? 1 : 0;
        if (p >= 1) return k == n ? 1 : 0;
        return Math.Exp(LogGamma(n + 1) - LogGamma(k + 1) - LogGamma(n - k + 1) + k * Math.Log(p) + (n - k) * Math.Log(1 - p));
    }

    /// <summary>The x with I_x(a, b) = q, by bisection (I is increasing in x) to machine precision.</summary>
    public static double BetaQuantile(double q, double a, double b)
    {
        double lo = 0, hi = 1;
        for (var i = 0; i < 200 && hi - lo > 1e-15; i++)
        {
            var mid = (lo + hi) / 2;
            if (RegularizedBeta(mid, a, b) < q) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function, by its continued fraction (modified Lentz).</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        // The fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use I_x(a, b) = 1 − I_{1−x}(b, a).
        return x < (a + 1) / (a + b + 2) ? front * BetaFraction(x, a, b) / a : 1 - front * BetaFraction(1 - x, b, a) / b;
    }

    private static double BetaFraction(double x, double a, double b)
    {
        const double tiny = 1e-300, eps = 1e-16;
        double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 10_000; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d; if (Math.Abs(d) < tiny) d = tiny;
            c = 1 + aa / c; if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < eps) break;
        }
        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 coefficients; relative error about 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        ReadOnlySpan<double> c =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        var sum = c[0];
        for (var i = 1; i < 9; i++) sum += c[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
