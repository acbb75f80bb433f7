using SeizureIntel.Intelligence.Interventions;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Interventions;

/// <summary>The segmented regression against a published example and against series generated with known effects.</summary>
public sealed class SegmentedRegressionTests
{
    /// <summary>
    /// Per-capita cigarette sales (packs) in California, 1970–2000, the series of Abadie, Diamond and Hainmueller (2010,
    /// JASA 105:493–505; as distributed with the synthdid R package, data/california_prop99.csv), Proposition 99 from 1989.
    /// </summary>
    private static readonly double[] California =
    [
        123, 121, 123.5, 124.4000015, 126.6999969, 127.0999985, 128, 126.4000015, 126.0999985, 121.9000015, 120.1999969, 118.5999985,
        115.4000015, 110.8000031, 104.8000031, 102.8000031, 99.69999695, 97.5, 90.09999847, 82.40000153, 77.80000305, 68.69999695, 67.5,
        63.40000153, 58.59999847, 56.40000153, 54.5, 53.79999924, 52.29999924, 47.20000076, 41.59999847,
    ];

    [Fact]
    public void the_california_proposition_99_example_gives_the_published_coefficients()
    {
        // Linden A. (2015) Conducting interrupted time-series analysis for single- and multiple-group comparisons.
        // Stata Journal 15(2):480–500, single-group example (itsa cigsale, single treatid(3) trperiod(1989) lag(1)):
        // _t = −1.779 (pre-1989 slope), _x1989 = −20.058 (level change), _x_t1989 = −1.495 (slope change), _cons = 132.226,
        // with _t counted from 0 in 1970 (itsa since 2.0.3). Linden's own power itsa help re-uses these estimates for the
        // treated unit: tint(132.2258) tpre(−1.779474) tstep(−20.0581) tpost(−3.274126), and a counterfactual of 98.416 for
        // 1989. An intercept of 134.226 fits no whole-year origin of this series (from 1 it would be 132.2258 + 1.7795 =
        // 134.005); the other three estimates do not depend on the origin.
        // (The pre-1989 slope alone is also the "−1.78 packs/year" of a linear fit on 1970–1988 quoted in C. Mendez's
        // Proposition 99 workshop; with a level and slope change the pre-period line is fitted on the pre-period only.)
        var t = Enumerable.Range(0, 31).Select(i => (double)i).ToList();
        var after = t.Select(x => x >= 19).ToList();
        var fit = SegmentedRegression.Fit(California, t, after, 19, lag: 1)!;

        fit[SegmentedRegression.Intercept].Value.ShouldBe(132.226, 0.001);
        fit[SegmentedRegression.Trend].Value.ShouldBe(-1.779, 0.001);
        fit[SegmentedRegression.Level].Value.ShouldBe(-20.058, 0.001);
        fit[SegmentedRegression.Slope].Value.ShouldBe(-1.495, 0.001);
        (fit[SegmentedRegression.Trend].Value + fit[SegmentedRegression.Slope].Value).ShouldBe(-3.274126, 1e-6); // tpost
        fit.Counterfactual[19].ShouldBe(98.416, 0.001); // 1989 without Proposition 99

        // Newey–West errors (lag 1, Bartlett weights, scaled by n/(n − k) as Stata's newey does) computed apart, in plain
        // Python from the same 31 values: _cons 4.253054, _t 0.383419, _x1989 4.724395, _x_t1989 0.436820.
        fit[SegmentedRegression.Intercept].StandardError.ShouldBe(4.253054, 1e-5);
        fit[SegmentedRegression.Trend].StandardError.ShouldBe(0.383419, 1e-5);
        fit[SegmentedRegression.Level].StandardError.ShouldBe(4.724395, 1e-5);
        fit[SegmentedRegression.Slope].StandardError.ShouldBe(0.436820, 1e-5);

        // Newey–West errors with lag 1, as computed here without the product's code.
        var (beta, se, _) = IndependentOls.Fit(IndependentOls.Design(t, after, 19, null), California, 1);
        for (var j = 0; j < 4; j++)
        {
            fit.Coefficients[j].Value.ShouldBe(beta[j], 1e-9);
            fit.Coefficients[j].StandardError.ShouldBe(se[j], 1e-9);
        }
        // 95 % interval from t with 27 degrees of freedom (t_0.975,27 = 2.051831).
        var level = fit[SegmentedRegression.Level];
        level.Lower.ShouldBe(level.Value - 2.051831 * level.StandardError, 1e-5);
        level.PValue.ShouldBeLessThan(0.001);
        fit.Lag.ShouldBe(1);
    }

    [Fact]
    public void a_noiseless_series_gives_back_the_effects_it_was_made_with()
    {
        // 48 months, interruption at month 24: level +8, slope +0.6 a month, pre-slope 0.3, a seasonal pattern.
        double[] season = [0, 3, -1, 2, 5, -4, 1, 0, -2, 6, -3, 1];
        var t = Enumerable.Range(0, 48).Select(i => (double)i).ToList();
        var after = t.Select(x => x >= 24).ToList();
        var months = t.Select(x => (int)x % 12 + 1).ToList();
        var y = t.Select((x, i) => 50 + 0.3 * x + (after[i] ? 8 + 0.6 * (x - 24) : 0) + season[i % 12]).ToList();
        var fit = SegmentedRegression.Fit(y, t, after, 24, months)!;
        fit[SegmentedRegression.Level].Value.ShouldBe(8, 1e-8);
        fit[SegmentedRegression.Slope].Value.ShouldBe(0.6, 1e-9);
        fit[SegmentedRegression.Trend].Value.ShouldBe(0.3, 1e-9);
        fit.Seasonal.ShouldBeTrue();
        fit.Parameters.ShouldBe(15);
        for (var i = 0; i < 48; i++) fit.Counterfactual[i].ShouldBe(y[i] - (after[i] ? 8 + 0.6 * (t[i] - 24) : 0), 1e-8);
    }

    [Fact]
    public void a_noisy_series_matches_an_independent_computation_and_its_intervals_cover_the_true_effects()
    {
        double[] season = [0, 3, -1, 2, 5, -4, 1, 0, -2, 6, -3, 1];
        var random = new Random(17);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var t = Enumerable.Range(0, 60).Select(i => (double)i).ToList();
        var after = t.Select(x => x >= 30).ToList();
        var months = t.Select(x => (int)x % 12 + 1).ToList();
        // AR(1) errors (rho 0.4): what Newey–West is for.
        var e = 0.0;
        var y = t.Select((x, i) => { e = 0.4 * e + 2 * Normal(); return 20 + 0.5 * x + (after[i] ? 10 - 0.4 * (x - 30) : 0) + season[i % 12] + e; }).ToList();
        var fit = SegmentedRegression.Fit(y, t, after, 30, months)!;

        var lag = SegmentedRegression.DefaultLag(60);
        lag.ShouldBe((int)Math.Floor(4 * Math.Pow(0.6, 2.0 / 9.0)));
        var (beta, se, _) = IndependentOls.Fit(IndependentOls.Design(t, after, 30, months), y.ToArray(), lag);
        for (var j = 0; j < beta.Length; j++)
        {
            fit.Coefficients[j].Value.ShouldBe(beta[j], 1e-8);
            fit.Coefficients[j].StandardError.ShouldBe(se[j], 1e-8);
        }
        var level = fit[SegmentedRegression.Level];
        var slope = fit[SegmentedRegression.Slope];
        10.0.ShouldBeInRange(level.Lower, level.Upper);
        (-0.4).ShouldBeInRange(slope.Lower, slope.Upper);
        level.PValue.ShouldBeLessThan(0.05);
    }

    [Fact]
    public void too_few_points_or_a_singular_design_give_no_fit()
    {
        SegmentedRegression.Fit([1, 2, 3, 4, 5], [0, 1, 2, 3, 4], [false, false, true, true, true], 2).ShouldBeNull();
        // Nothing after the interruption: the level and slope columns are all zero.
        SegmentedRegression.Fit([1, 2, 3, 4, 5, 6, 7, 8], [0, 1, 2, 3, 4, 5, 6, 7], Enumerable.Repeat(false, 8).ToList(), 8).ShouldBeNull();
    }
}
