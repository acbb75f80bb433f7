using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace SeizureIntel.Intelligence.Interventions;

/// <summary>One coefficient: its estimate, Newey–West standard error, 95 % interval and two-sided p-value (t with n − k df).</summary>
public sealed record Estimate(string Name, double Value, double StandardError, double Lower, double Upper, double PValue);

/// <summary>A fitted segmented regression: every coefficient, the fitted line and the line without the intervention's terms.</summary>
public sealed record SegmentedFit(
    IReadOnlyList<Estimate> Coefficients, double[] Fitted, double[] Counterfactual, int Points, int Parameters, int Lag, bool Seasonal)
{
    public Estimate this[string name] => Coefficients.Single(c => c.Name == name);
}

/// <summary>
/// Interrupted time series by segmented regression, with ordinary least squares (MathNet.Numerics QR) and Newey–West
/// (Bartlett kernel) standard errors robust to autocorrelation and heteroscedasticity:
/// y_t = b0 + b1·t + b2·D_t + b3·(t − t0)·D_t [+ month-of-year dummies] + e_t, where D_t = 1 from the first point after
/// the interruption at t0. b2 is the change in level at t0, b3 the change in slope. The covariance is
/// n/(n − k)·(X'X)⁻¹·S·(X'X)⁻¹ with S = Σ e_t² x_t x_t' + Σ_{l=1..L} (1 − l/(L+1)) Σ_t e_t e_{t−l} (x_t x_{t−l}' + x_{t−l} x_t'),
/// as Stata's <c>newey</c> computes it; intervals and p-values use Student's t with n − k degrees of freedom.
/// </summary>
public static class SegmentedRegression
{
    public const string Intercept = "intercept";
    public const string Trend = "pre-intervention slope";
    public const string Level = "level change";
    public const string Slope = "slope change";

    /// <summary>The Newey–West (1994) rule of thumb for the lag: floor(4·(n/100)^(2/9)).</summary>
    public static int DefaultLag(int n) => (int)Math.Floor(4 * Math.Pow(n / 100.0, 2.0 / 9.0));

    /// <param name="y">The outcome at each point, in time order.</param>
    /// <param name="time">The time of each point (e.g. months from the first), increasing.</param>
    /// <param name="after">Whether each point lies after the interruption.</param>
    /// <param name="start">t0: the time from which the slope change is counted (the first point after).</param>
    /// <param name="calendarMonths">The month of year (1–12) of each point for seasonal dummies; null for none.</param>
    /// <param name="lag">The Newey–West lag; null for <see cref="DefaultLag"/>.</param>
    /// <returns>The fit, or null when the design has too few points or is singular.</returns>
    public static SegmentedFit? Fit(IReadOnlyList<double> y, IReadOnlyList<double> time, IReadOnlyList<bool> after, double start,
        IReadOnlyList<int>? calendarMonths = null, int? lag = null)
    {
        var n = y.Count;
        var names = new List<string> { Intercept, Trend, Level, Slope };
        var columns = new List<Func<int, double>>
        {
            _ => 1.0,
            i => time[i],
            i => after[i] ? 1.0 : 0.0,
            i => after[i] ? time[i] - start : 0.0,
        };
        if (calendarMonths is not null)
        {
            // One dummy per month present other than the first present (the reference), so the design stays of full rank.
            var present = calendarMonths.Distinct().Order().ToList();
            foreach (var m in present.Skip(1))
            {
                names.Add($"month {m:D2}");
                columns.Add(i => calendarMonths[i] == m ? 1.0 : 0.0);
            }
        }
        var k = columns.Count;
        if (n <= k + 1) return null;

        var x = Matrix<double>.Build.Dense(n, k, (i, j) => columns[j](i));
        var yv = Vector<double>.Build.DenseOfEnumerable(y);
        var qr = x.QR();
        var diagonal = Enumerable.Range(0, k).Select(j => Math.Abs(qr.R[j, j])).ToList();
        if (diagonal.Min() <= 1e-9 * Math.Max(1.0, diagonal.Max())) return null;
        var beta = qr.Solve(yv);
        var fitted = x * beta;
        var residuals = yv - fitted;

        var l = Math.Max(0, lag ?? DefaultLag(n));
        var bread = (x.TransposeThisAndMultiply(x)).Inverse();
        var meat = Matrix<double>.Build.Dense(k, k);
        for (var i = 0; i < n; i++)
        {
            var xi = x.Row(i);
            meat += xi.OuterProduct(xi) * (residuals[i] * residuals[i]);
        }
        for (var lagged = 1; lagged <= l && lagged < n; lagged++)
        {
            var weight = 1.0 - lagged / (l + 1.0);
            for (var i = lagged; i < n; i++)
            {
                var cross = x.Row(i).OuterProduct(x.Row(i - lagged)) * (residuals[i] * residuals[i - lagged]);
                meat += (cross + cross.Transpose()) * weight;
            }
        }
        var covariance = bread * meat * bread * (n / (double)(n - k));

        var df = n - k;
        var critical = StudentT.InvCDF(0, 1, df, 0.975);
        var estimates = new List<Estimate>();
        for (var j = 0; j < k; j++)
        {
            var se = Math.Sqrt(Math.Max(0, covariance[j, j]));
            var t = se > 0 ? beta[j] / se : double.PositiveInfinity;
            var p = se > 0 ? 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(t))) : 0;
            estimates.Add(new Estimate(names[j], beta[j], se, beta[j] - critical * se, beta[j] + critical * se, p));
        }

        var withoutIntervention = beta.Clone();
        withoutIntervention[2] = 0;
        withoutIntervention[3] = 0;
        return new SegmentedFit(estimates, fitted.ToArray(), (x * withoutIntervention).ToArray(), n, k, l, calendarMonths is not null);
    }
}
