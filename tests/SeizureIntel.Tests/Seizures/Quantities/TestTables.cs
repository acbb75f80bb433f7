using System.Text;
using System.Text.Json;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Tests.Seizures.Quantities;

/// <summary>
/// Conversion table sets that tests write themselves, so that two versions with different factors can be tried
/// without publishing a revision nobody made. Their factors are test values, and their sources say so.
/// </summary>
public static class TestTables
{
    public static readonly ReferenceData Reference = ReferenceData.LoadEmbedded();

    public static object Factor(string unit, string substance, decimal gramsPerUnit) => new
    {
        unit,
        substance,
        gramsPerUnit,
        source = new { document = "SeizureIntel tests", section = "test table", figure = $"{gramsPerUnit} g per {unit} (test value, not a published factor)" },
    };

    public static object Version(string version, string published, params object[] factors) =>
        new { version, published, notes = "Written by a test; not a published table.", factors };

    public static string Json(params object[] versions) => JsonSerializer.Serialize(versions, JsonSerializerOptions.Web);

    public static ConversionTables Load(string json) =>
        ConversionTables.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), Reference, "the test's table set");

    public static ConversionTables Load(params object[] versions) => Load(Json(versions));

    /// <summary>
    /// Two versions of the test's own, as (unit, substance) → grams per unit: a seizure in tablets of methamphetamine,
    /// litres, millilitres and cannabis plants weighs differently under each, and LSD doses have a mass only under the
    /// second. Plants of anything but cannabis have no factor in either.
    /// </summary>
    public static readonly Dictionary<(string Unit, string Substance), decimal> FactorsX = new()
    {
        [("tablet", "*")] = 0.2m, [("tablet", "methamphetamine")] = 0.1m, [("l", "*")] = 1000m, [("ml", "*")] = 1m,
        [("plant", "cannabis-plant")] = 50m,
    };

    public static readonly Dictionary<(string Unit, string Substance), decimal> FactorsY = new()
    {
        [("tablet", "*")] = 0.3m, [("tablet", "methamphetamine")] = 0.09m, [("l", "*")] = 950m, [("ml", "*")] = 0.95m,
        [("plant", "cannabis-plant")] = 80m, [("unit", "lsd")] = 0.05m,
    };

    public static readonly object X = Version("test-x", "2020-01-01", Factors(FactorsX));
    public static readonly object Y = Version("test-y", "2020-06-01", Factors(FactorsY));

    private static object[] Factors(Dictionary<(string Unit, string Substance), decimal> factors) =>
        factors.Select(p => Factor(p.Key.Unit, p.Key.Substance, p.Value)).ToArray();
}
