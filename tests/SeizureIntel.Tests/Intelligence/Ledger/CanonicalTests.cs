using SeizureIntel.Intelligence.Ledger;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// Tally.Canonical skips the division when a number has no trailing zeros: it must give the same number in the same
/// form (mantissa and scale) as dividing by one always did, for every kind of decimal a total meets.
/// </summary>
public sealed class CanonicalTests
{
    private static decimal Divided(decimal value) => value / 1.000000000000000000000000000000000m;

    [Fact]
    public void canonical_equals_the_division_in_value_and_form()
    {
        var random = new Random(4711);
        var values = new List<decimal> { 0m, 0.00m, -0.0m, 1m, 10m, 100.0m, 172.050m, 172.05m, -3.10m, 0.001m, 7.9228162514264337593543950335m,
            79228162514264337593543950335m, 1_000_000_000_000.000m, 0.0000000000000000000000000010m };
        for (var i = 0; i < 20_000; i++)
        {
            var mantissa = new decimal(random.Next(), random.Next(), random.Next(0, 1 << random.Next(0, 30)), random.Next(2) == 0,
                (byte)random.Next(0, 29));
            values.Add(mantissa);
            values.Add(Math.Round(mantissa, random.Next(0, 5)) * 1.000m);
            values.Add(random.Next(0, 1_000_000) / 100m * 1.0000m);
        }
        foreach (var value in values)
        {
            var expected = Divided(value);
            var actual = Tally.Canonical(value);
            actual.ShouldBe(expected, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            decimal.GetBits(actual).ShouldBe(decimal.GetBits(expected), value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
