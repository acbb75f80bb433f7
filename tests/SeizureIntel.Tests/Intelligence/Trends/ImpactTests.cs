using System.Numerics;
using System.Text.Json;
using SeizureIntel.Intelligence.Impact;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Trends;

/// <summary>
/// The impact test's statistics checked by their defining property, with the test's own exact binomial sums (BigInteger
/// coefficients), not the product's beta functions: the Clopper–Pearson bounds pL and pU of p are the values where
/// P(X ≥ x | pL) = 2.5 % and P(X ≤ x | pU) = 2.5 %.
/// </summary>
public static class ExactBinomial
{
    public static BigInteger Choose(int n, int k)
    {
        BigInteger r = 1;
        for (var i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    public static double Cdf(int x, int n, double p, bool upperTail)
    {
        var sum = 0.0;
        for (var k = upperTail ? x : 0; k <= (upperTail ? n : x); k++) sum += (double)Choose(n, k) * Math.Pow(p, k) * Math.Pow(1 - p, n - k);
        return sum;
    }

    /// <summary>Two-sided p-value for p0 = 1/2, exactly: outcomes whose coefficient is at most the observed one, over 2^n.</summary>
    public static double TwoSidedHalf(int x, int n)
    {
        var observed = Choose(n, x);
        var sum = Enumerable.Range(0, n + 1).Select(k => Choose(n, k)).Where(c => c <= observed).Aggregate(BigInteger.Zero, (a, c) => a + c);
        return (double)sum / Math.Pow(2, n);
    }
}

public sealed class RateRatioStatisticsTests
{
    [Theory]
    [InlineData(10, 25)]
    [InlineData(25, 10)]
    [InlineData(40, 38)]
    [InlineData(3, 0)]
    [InlineData(0, 7)]
    public void equal_exposures_give_the_ratio_of_counts_and_a_clopper_pearson_interval_with_its_defining_tail_probabilities(int before, int after)
    {
        var t = RateRatioTest.Run(before, after, 12, 12);
        var n = before + after;
        if (before > 0) t.RateRatio!.Value.ShouldBe((double)after / before, 1e-12);
        else t.RateRatio.ShouldBeNull();

        // RR = p / (1 - p) for equal exposures, so p = RR / (1 + RR).
        if (after > 0) ExactBinomial.Cdf(after, n, t.Lower / (1 + t.Lower), upperTail: true).ShouldBe(0.025, 1e-9);
        else t.Lower.ShouldBe(0);
        if (after < n) ExactBinomial.Cdf(after, n, t.Upper!.Value / (1 + t.Upper.Value), upperTail: false).ShouldBe(0.025, 1e-9);
        else t.Upper.ShouldBeNull();
        t.PValue.ShouldBe(Math.Min(1, ExactBinomial.TwoSidedHalf(after, n)), 1e-12);
    }

    [Fact]
    public void ten_before_and_twenty_five_after_is_a_rise_of_2_5_times_whose_interval_excludes_1()
    {
        var t = RateRatioTest.Run(10, 25, 12, 12);
        t.RateRatio.ShouldBe(2.5);
        // 2 × P(X ≤ 10 | n = 35, 1/2) = 2 × 286454524 / 2^35 (the sum of C(35, 0..10), from Python's math.comb).
        var lowerTail = Enumerable.Range(0, 11).Aggregate(BigInteger.Zero, (a, k) => a + ExactBinomial.Choose(35, k));
        lowerTail.ShouldBe(new BigInteger(286454524));
        t.PValue.ShouldBe(2.0 * 286454524 / Math.Pow(2, 35), 1e-12);
        // Bounds found separately in Python (bisection on exact binomial tails with math.comb): 1.15962 to 5.83271.
        t.Lower.ShouldBe(1.1596189735922389, 1e-7);
        t.Upper!.Value.ShouldBe(5.832713200335715, 1e-6);
        GetImpactEndpoint.Verdict(t).ShouldStartWith("Detections rose");
    }

    [Fact]
    public void unequal_exposures_scale_the_ratio_and_the_interval()
    {
        var t = RateRatioTest.Run(12, 12, 12, 6); // the same count in half the time: twice the rate
        t.RateRatio.ShouldBe(2.0);
        var p0 = 6.0 / 18;
        t.PValue.ShouldBe(Enumerable.Range(0, 25).Select(k => RateRatioTest.BinomialPmf(k, 24, p0))
            .Where(pk => pk <= RateRatioTest.BinomialPmf(12, 24, p0) * (1 + 1e-7)).Sum(), 1e-12);
        var pL = t.Lower / 2 / (1 + t.Lower / 2); // RR = p / (1 - p) × 12 / 6
        ExactBinomial.Cdf(12, 24, pL, upperTail: true).ShouldBe(0.025, 1e-9);
    }

    [Fact]
    public void fewer_than_ten_events_and_intervals_that_include_1_say_the_data_cannot_tell()
    {
        GetImpactEndpoint.Verdict(RateRatioTest.Run(1, 7, 12, 12)).ShouldStartWith("The data cannot tell: only 8 detections");
        GetImpactEndpoint.Verdict(RateRatioTest.Run(0, 0, 12, 12)).ShouldStartWith("The data cannot tell: only 0 detections");
        GetImpactEndpoint.Verdict(RateRatioTest.Run(20, 26, 12, 12)).ShouldStartWith("The data cannot tell: the monthly rate after is 1.3 times");
        GetImpactEndpoint.Verdict(RateRatioTest.Run(30, 8, 12, 12)).ShouldStartWith("Detections fell");
    }
}

public sealed class ImpactTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<Guid> AtAsync(string facility, DateTimeOffset at, string detection = "xray-parcel") =>
        (await RecordAsync(Body(facilityId: facility, occurredAt: at.ToString("yyyy-MM-ddTHH:mm:ssK"), value: 2, unit: "g", detection: detection))).Id;

    [Fact]
    public async Task monthly_counts_before_and_after_the_intervention_month_and_the_rate_ratio_with_its_exact_interval()
    {
        var bishkek = TimeSpan.FromHours(6);
        var expected = new Dictionary<string, int>();
        void Count(DateTimeOffset local) => expected[local.ToOffset(bishkek).ToString("yyyy-MM")] = expected.GetValueOrDefault(local.ToOffset(bishkek).ToString("yyyy-MM")) + 1;

        // 10 in the 12 months before April 2016 (May 2015 .. March 2016), 25 in the 12 after (May 2016 .. April 2017).
        for (var i = 0; i < 10; i++) { var at = new DateTimeOffset(2015, 5, 3, 12, 0, 0, bishkek).AddMonths(i); await AtAsync("SIZO-1", at); Count(at); }
        for (var i = 0; i < 25; i++) { var at = new DateTimeOffset(2016, 5, 1, 12, 0, 0, bishkek).AddMonths(i % 12).AddDays(i / 12); await AtAsync("SIZO-1", at); Count(at); }
        // 18:30 UTC on 30 April 2017 is 00:30 on 1 May in Bishkek: after the window, not counted.
        var lastLocal = new DateTimeOffset(2017, 4, 30, 18, 30, 0, TimeSpan.Zero);     // 00:30 on 1 May 2017 local
        await AtAsync("SIZO-1", lastLocal);
        // Not counted: the intervention month (incl. 02:00 on 1 April local = 31 March UTC), another facility, a voided one.
        await AtAsync("SIZO-1", new DateTimeOffset(2016, 3, 31, 20, 0, 0, TimeSpan.Zero));
        await AtAsync("SIZO-1", new DateTimeOffset(2016, 4, 27, 9, 0, 0, bishkek));
        await AtAsync("IK-1", new DateTimeOffset(2016, 6, 1, 9, 0, 0, bishkek));
        var voided = await AtAsync("SIZO-1", new DateTimeOffset(2016, 7, 9, 9, 0, 0, bishkek));
        await ChangeAsync(voided, "void", new { reason = "test" }, 1);
        // A month just before the window (April 2015): outside it.
        await AtAsync("SIZO-1", new DateTimeOffset(2015, 4, 30, 23, 0, 0, bishkek));
        await WaitForProjectionsAsync();

        var answer = await GetJsonAsync("/api/impact?facility=SIZO-1&date=2016-04-27&months=12");
        answer.GetProperty("excludedMonth").GetString().ShouldBe("2016-04");
        var before = answer.GetProperty("before");
        var after = answer.GetProperty("after");
        (before.GetProperty("from").GetString(), before.GetProperty("to").GetString()).ShouldBe(("2015-04", "2016-03"));
        (after.GetProperty("from").GetString(), after.GetProperty("to").GetString()).ShouldBe(("2016-05", "2017-04"));
        foreach (var w in new[] { before, after })
            foreach (var m in w.GetProperty("series").EnumerateArray())
            {
                var period = m.GetProperty("period").GetString()!;
                var mine = period == "2015-04" ? 1 : expected.GetValueOrDefault(period);
                m.GetProperty("count").GetInt32().ShouldBe(mine, period);
            }
        before.GetProperty("count").GetInt32().ShouldBe(11); // 10 + the one at the end of April 2015
        after.GetProperty("count").GetInt32().ShouldBe(25);
        answer.GetProperty("rateRatio").GetDouble().ShouldBe(Math.Round(25.0 / 11, 4));
        var ci = answer.GetProperty("confidenceInterval");
        var lower = ci.GetProperty("lower").GetDouble();
        ExactBinomial.Cdf(25, 36, lower / (1 + lower), upperTail: true).ShouldBe(0.025, 2e-4);
        var upper = ci.GetProperty("upper").GetDouble();
        ExactBinomial.Cdf(25, 36, upper / (1 + upper), upperTail: false).ShouldBe(0.025, 2e-4);
        answer.GetProperty("pValue").GetDouble().ShouldBe(ExactBinomial.TwoSidedHalf(25, 36), 1e-6);
        answer.GetProperty("verdict").GetString()!.ShouldStartWith("Detections rose");

        // Only X-ray detections: there are none of another method here, so the same; cell searches: none, too few.
        var cells = await GetJsonAsync("/api/impact?facility=No. 21&date=2016-04-27&detection=cell-search");
        cells.GetProperty("after").GetProperty("count").GetInt32().ShouldBe(0);
        cells.GetProperty("verdict").GetString()!.ShouldStartWith("The data cannot tell: only 0 detections");
    }

    [Theory]
    [InlineData("date=2016-04-27", "facility")]
    [InlineData("facility=Alcatraz&date=2016-04-27", "facility")]
    [InlineData("facility=SIZO-1", "date")]
    [InlineData("facility=SIZO-1&date=27.04.2016", "date")]
    [InlineData("facility=SIZO-1&date=2016-04-27&months=0", "months")]
    [InlineData("facility=SIZO-1&date=2016-04-27&detection=dowsing", "detection")]
    [InlineData("facility=SIZO-1&date=2999-01-01", "date")]
    public async Task bad_parameters_are_refused_naming_the_parameter(string query, string field)
    {
        var result = await Host.Scenario(s => { s.Get.Url("/api/impact?" + query); s.StatusCodeShouldBe(400); });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe([field]);
    }
}
