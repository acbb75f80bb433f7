using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Tests.Seizures.Quantities;

/// <summary>The converter and the tables on their own, without a host or a database.</summary>
public sealed class QuantityConverterTests
{
    private static QuantityConverter Converter(ConversionTable table) => new(TestTables.Reference, table);
    private static QuantityConverter ConverterX => Converter(TestTables.Load(TestTables.X, TestTables.Y).Find("test-x")!);

    [Theory]
    [InlineData("mg", 2500, 2.5)]
    [InlineData("g", 12.75, 12.75)]
    [InlineData("kg", 0.125, 125)]
    [InlineData("KG", 1.5, 1500)]
    public void mass_units_are_exact_and_name_no_table(string unit, double value, double grams)
    {
        var mass = ConverterX.ToMass("heroin", new Quantity((decimal)value, unit));
        mass.ShouldBe(new Mass((decimal)grams, Estimated: false, TableVersion: null));
    }

    [Theory]
    [InlineData("l", "cannabis-oil", 0.75, 750)]
    [InlineData("ml", "methadone", 30, 30)]
    [InlineData("plant", "cannabis-plant", 12, 600)]
    [InlineData("tablet", "tramadol", 40, 8)]
    public void volumes_and_counts_are_estimated_with_the_tables_factor_and_version(string unit, string substance, double value, double grams)
    {
        var mass = ConverterX.ToMass(substance, new Quantity((decimal)value, unit));
        mass.ShouldBe(new Mass((decimal)grams, Estimated: true, TableVersion: "test-x"));
    }

    [Fact]
    public void a_substances_own_factor_comes_before_the_factor_for_any_substance()
    {
        ConverterX.ToMass("methamphetamine", new Quantity(100m, "tablet"))!.Grams.ShouldBe(10m);
        ConverterX.ToMass("ecstasy", new Quantity(100m, "tablet"))!.Grams.ShouldBe(20m);
        ConverterX.Table.Find("TABLET", "Methamphetamine")!.GramsPerUnit.ShouldBe(0.1m);
    }

    [Theory]
    [InlineData("unit", "lsd")]            // no factor for units at all in test-x
    [InlineData("plant", "opium")]         // plants have a factor for cannabis plants only, and none for any substance
    [InlineData("bucket", "heroin")]       // not a unit
    public void a_quantity_the_table_does_not_cover_has_no_mass(string unit, string substance)
    {
        ConverterX.ToMass(substance, new Quantity(3m, unit)).ShouldBeNull();
    }

    [Fact]
    public void another_version_gives_other_figures_and_names_itself()
    {
        var y = Converter(TestTables.Load(TestTables.X, TestTables.Y).Find("test-y")!);
        y.ToMass("methamphetamine", new Quantity(100m, "tablet")).ShouldBe(new Mass(9m, true, "test-y"));
        y.ToMass("lsd", new Quantity(20m, "unit")).ShouldBe(new Mass(1m, true, "test-y"));
        y.ToMass("heroin", new Quantity(2m, "kg")).ShouldBe(new Mass(2000m, false, null));
    }

    [Fact]
    public void no_configured_version_selects_the_latest_and_an_unknown_one_is_refused_by_name()
    {
        var tables = TestTables.Load(TestTables.X, TestTables.Y);
        tables.Select(null).Version.ShouldBe("test-y");
        tables.Select("  ").Version.ShouldBe("test-y");
        tables.Select("test-x").Version.ShouldBe("test-x");

        var e = Should.Throw<InvalidOperationException>(() => tables.Select("1999.9"));
        e.Message.ShouldContain("SeizureIntel:ConversionTableVersion '1999.9' is not a published conversion table version");
        e.Message.ShouldContain("test-x, test-y");
    }

    [Fact]
    public void the_published_table_derives_litres_at_1_kg_per_litre_and_gives_every_factor_a_source()
    {
        var tables = ConversionTables.LoadEmbedded(TestTables.Reference);
        tables.Versions.Select(v => v.Version).ShouldBeUnique();
        var latest = tables.Latest;
        latest.Notes.ShouldNotBeNullOrWhiteSpace();

        var converter = Converter(latest);
        converter.ToMass("cannabis-oil", new Quantity(2.5m, "l")).ShouldBe(new Mass(2500m, true, latest.Version));
        converter.ToMass("methadone", new Quantity(250m, "ml")).ShouldBe(new Mass(250m, true, latest.Version));
        foreach (var factor in tables.Versions.SelectMany(v => v.Factors))
        {
            factor.Source.Document.ShouldNotBeNullOrWhiteSpace();
            factor.Source.Figure.ShouldNotBeNullOrWhiteSpace();
            factor.Source.Url.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Theory]
    [MemberData(nameof(BadTables))]
    public void a_bad_table_set_is_refused_with_what_is_wrong_and_where(string json, string expected)
    {
        var e = Should.Throw<InvalidOperationException>(() => TestTables.Load(json));
        e.Message.ShouldStartWith("the test's table set is not a valid conversion table set");
        e.Message.ShouldContain(expected);
    }

    public static TheoryData<string, string> BadTables() => new()
    {
        { "[]", "it publishes no version" },
        { "not json", "is not a valid conversion table set" },
        { TestTables.Json(TestTables.X, TestTables.X), "version 'test-x' is published twice" },
        { TestTables.Json(TestTables.Y, TestTables.X), "version 'test-x' (2020-01-01) is listed after 'test-y' (2020-06-01)" },
        { TestTables.Json(new { version = "v1", published = "2020-01-01", factors = Array.Empty<object>() }), "version 'v1' has no notes" },
        { TestTables.Json(new { published = "2020-01-01", notes = "n" }), "version #1 has no version name" },
        { TestTables.Json(new { version = "v1", notes = "n" }), "version 'v1' has no published date" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("bucket", "*", 1m))), "version 'v1', factor #1: unit 'bucket' is not a known unit" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("g", "*", 1m))), "unit 'g' is a mass unit" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("l", "kryptonite", 1m))), "substance 'kryptonite' is not a known substance code" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("l", "*", 0m))), "gramsPerUnit must be greater than zero" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("l", "*", -1m))), "gramsPerUnit must be greater than zero" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", TestTables.Factor("l", "*", 1m), TestTables.Factor("L", "*", 2m))),
            "factor #2: unit 'l' for substance '*' has a factor already" },
        { TestTables.Json(TestTables.Version("v1", "2020-01-01", new { unit = "l", substance = "*", gramsPerUnit = 1000 })),
            "a source with its document and figure is required" },
    };
}
