namespace SeizureIntel.Tests.Intelligence.Interventions;

/// <summary>
/// The test's own least squares and Newey–West errors, written out with plain arrays and Gauss–Jordan elimination
/// (no MathNet), so that the product's figures are checked against a computation that shares none of its code.
/// </summary>
public static class IndependentOls
{
    public static (double[] Beta, double[] StandardErrors, double[] Residuals) Fit(double[][] x, double[] y, int lag)
    {
        int n = x.Length, k = x[0].Length;
        var xtx = new double[k, k];
        var xty = new double[k];
        for (var i = 0; i < n; i++)
            for (var a = 0; a < k; a++)
            {
                xty[a] += x[i][a] * y[i];
                for (var b = 0; b < k; b++) xtx[a, b] += x[i][a] * x[i][b];
            }
        var inverse = Invert(xtx);
        var beta = new double[k];
        for (var a = 0; a < k; a++)
            for (var b = 0; b < k; b++) beta[a] += inverse[a, b] * xty[b];
        var e = new double[n];
        for (var i = 0; i < n; i++)
        {
            e[i] = y[i];
            for (var a = 0; a < k; a++) e[i] -= x[i][a] * beta[a];
        }
        var s = new double[k, k];
        for (var i = 0; i < n; i++)
            for (var a = 0; a < k; a++)
                for (var b = 0; b < k; b++) s[a, b] += e[i] * e[i] * x[i][a] * x[i][b];
        for (var l = 1; l <= lag; l++)
        {
            var w = 1.0 - l / (lag + 1.0);
            for (var i = l; i < n; i++)
                for (var a = 0; a < k; a++)
                    for (var b = 0; b < k; b++)
                        s[a, b] += w * e[i] * e[i - l] * (x[i][a] * x[i - l][b] + x[i - l][a] * x[i][b]);
        }
        var se = new double[k];
        for (var j = 0; j < k; j++)
        {
            double v = 0;
            for (var a = 0; a < k; a++)
                for (var b = 0; b < k; b++) v += inverse[j, a] * s[a, b] * inverse[b, j];
            se[j] = Math.Sqrt(v * n / (n - k));
        }
        return (beta, se, e);
    }

    private static double[,] Invert(double[,] m)
    {
        var k = m.GetLength(0);
        var a = new double[k, 2 * k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++) a[i, j] = m[i, j];
            a[i, k + i] = 1;
        }
        for (var c = 0; c < k; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < k; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            for (var j = 0; j < 2 * k; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            var p = a[c, c];
            for (var j = 0; j < 2 * k; j++) a[c, j] /= p;
            for (var r = 0; r < k; r++)
            {
                if (r == c) continue;
                var f = a[r, c];
                for (var j = 0; j < 2 * k; j++) a[r, j] -= f * a[c, j];
            }
        }
        var result = new double[k, k];
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++) result[i, j] = a[i, k + j];
        return result;
    }

    /// <summary>Rows of the segmented design: 1, t, D, (t − t0)·D, then dummies for the months present after the first.</summary>
    public static double[][] Design(IReadOnlyList<double> t, IReadOnlyList<bool> after, double t0, IReadOnlyList<int>? months)
    {
        var present = months?.Distinct().Order().Skip(1).ToList() ?? [];
        return t.Select((ti, i) => new[] { 1.0, ti, after[i] ? 1 : 0, after[i] ? ti - t0 : 0 }
            .Concat(present.Select(m => months![i] == m ? 1.0 : 0.0)).ToArray()).ToArray();
    }
}
