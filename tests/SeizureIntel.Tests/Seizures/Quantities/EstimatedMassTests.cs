using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Quantities;

/// <summary>The published table as the node serves it and applies it, on the collection's node.</summary>
public sealed class EstimatedMassTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task the_conversion_tables_are_served_with_their_sources_and_the_active_version()
    {
        var tables = await GetJsonAsync("/api/reference/conversion-tables");
        var versions = tables.GetProperty("versions").EnumerateArray().ToList();
        versions.ShouldNotBeEmpty();
        // No version is configured for the test node: the latest published one is active.
        var latest = versions[^1].GetProperty("version").GetString();
        tables.GetProperty("active").GetString().ShouldBe(latest);
        versions.Select(v => v.GetProperty("active").GetBoolean()).ShouldBe(versions.Select((_, i) => i == versions.Count - 1));

        var litre = versions[^1].GetProperty("factors").EnumerateArray()
            .Single(f => f.GetProperty("unit").GetString() == "l" && f.GetProperty("substance").GetString() == "*");
        litre.GetProperty("gramsPerUnit").GetDecimal().ShouldBe(1000m);
        litre.GetProperty("source").GetProperty("figure").GetString()!.ShouldContain("1 kg per litre");
        litre.GetProperty("source").GetProperty("url").GetString().ShouldBe("https://dataunodc.un.org/drugs/global_seizures");

        var doc = await GetJsonAsync("/openapi/v1.json");
        doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ShouldContain("/api/reference/conversion-tables");
    }

    [Fact]
    public async Task a_seizure_in_litres_shows_an_estimated_mass_with_its_table_version_and_one_in_kilograms_an_exact_one()
    {
        var active = (await GetJsonAsync("/api/reference/conversion-tables")).GetProperty("active").GetString();

        var inLitres = await GetSeizureAsync(await RecordAsync(Body(substance: "cannabis-oil", value: 0.4m, unit: "l")));
        inLitres.GetProperty("grams").GetDecimal().ShouldBe(400m);
        inLitres.GetProperty("gramsEstimated").GetBoolean().ShouldBeTrue();
        inLitres.GetProperty("gramsTableVersion").GetString().ShouldBe(active);
        inLitres.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(0.4m);
        inLitres.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe("l");

        var inKilograms = await GetSeizureAsync(await RecordAsync(Body(value: 1.25m, unit: "kg")));
        inKilograms.GetProperty("grams").GetDecimal().ShouldBe(1250m);
        inKilograms.GetProperty("gramsEstimated").GetBoolean().ShouldBeFalse();
        inKilograms.GetProperty("gramsTableVersion").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task a_seizure_in_tablets_has_no_mass_while_no_published_factor_covers_it()
    {
        var tablets = await GetSeizureAsync(await RecordAsync(Body(substance: "tramadol", value: 30m, unit: "tablet")));
        tablets.GetProperty("grams").ValueKind.ShouldBe(JsonValueKind.Null);
        tablets.GetProperty("gramsEstimated").GetBoolean().ShouldBeFalse();
        tablets.GetProperty("gramsTableVersion").ValueKind.ShouldBe(JsonValueKind.Null);

        await WaitForProjectionsAsync();
        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("count").GetInt32().ShouldBe(1);
        year.GetProperty("withoutMass").GetInt32().ShouldBe(1);
        year.GetProperty("grams").GetDecimal().ShouldBe(0m);
    }

    [Fact]
    public async Task a_node_configured_with_an_unpublished_version_refuses_to_start_and_says_why()
    {
        var e = await Should.ThrowAsync<Exception>(() =>
            Fixture.StartHostAsync(b => b.UseSetting("SeizureIntel:ConversionTableVersion", "1999.9")));
        e.ToString().ShouldContain("SeizureIntel:ConversionTableVersion '1999.9' is not a published conversion table version");
    }

    private async Task<JsonElement> GetSeizureAsync(SeizureCreatedBody created) => await GetJsonAsync($"/api/seizures/{created.Id}");
}
