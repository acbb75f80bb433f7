using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Quantities;

/// <summary>
/// A node of its own in a schema of its own, reading the test's own table set (versions test-x and test-y) from a
/// file: the collection's host derives masses with test-x; the test later starts a second host with test-y.
/// </summary>
public sealed class ConversionRebuildFixture : NodeFixture
{
    public ConversionRebuildFixture()
    {
        TablesFile = Path.Combine(AppContext.BaseDirectory, $"conversion-tables.{Schema}.json");
        File.WriteAllText(TablesFile, TestTables.Json(TestTables.X, TestTables.Y));
    }

    public override string Schema => base.Schema + "_conv";
    public string TablesFile { get; }

    protected override void ConfigureHost(IWebHostBuilder builder) => UseTables(builder, "test-x");

    public void UseTables(IWebHostBuilder builder, string version)
    {
        builder.UseSetting("SeizureIntel:ConversionTablesFile", TablesFile);
        builder.UseSetting("SeizureIntel:ConversionTableVersion", version);
    }
}

[CollectionDefinition(Name)]
public sealed class ConversionRebuildCollection : ICollectionFixture<ConversionRebuildFixture>
{
    public const string Name = "conversion-rebuild";
}

[Collection(ConversionRebuildCollection.Name)]
public sealed class ConversionRebuildTests(ConversionRebuildFixture fixture)
{
    private static readonly TimeSpan Bishkek = TimeSpan.FromHours(6);

    private static readonly List<RawSeizure> Seizures =
    [
        new("SIZO-1", new DateTimeOffset(2015, 3, 14, 10, 30, 0, Bishkek), "methamphetamine", 120m, "tablet", "visitor-search"),
        new("SIZO-1", new DateTimeOffset(2015, 4, 2, 9, 0, 0, Bishkek), "tramadol", 45m, "tablet", "cell-search"),
        new("IK-47", new DateTimeOffset(2015, 5, 20, 16, 15, 0, Bishkek), "cannabis-oil", 0.35m, "l", "xray-parcel"),
        new("IK-1", new DateTimeOffset(2015, 6, 1, 11, 0, 0, Bishkek), "methadone", 250m, "ml", "body-search"),
        new("KP-26", new DateTimeOffset(2015, 7, 9, 22, 40, 0, Bishkek), "cannabis-plant", 7m, "plant", "perimeter"),
        new("SIZO-5", new DateTimeOffset(2015, 8, 30, 13, 5, 0, Bishkek), "lsd", 20m, "unit", "canine"),
        new("SIZO-1", new DateTimeOffset(2015, 9, 3, 8, 45, 0, Bishkek), "heroin", 12.5m, "g", "body-search"),
        new("IK-47", new DateTimeOffset(2015, 10, 11, 14, 0, 0, Bishkek), "opium", 1.2m, "kg", "intelligence-led"),
        new("IK-1", new DateTimeOffset(2014, 2, 17, 10, 0, 0, Bishkek), "ecstasy", 60m, "tablet", "visitor-search"),
        new("IK-1", new DateTimeOffset(2014, 6, 5, 12, 0, 0, Bishkek), "methamphetamine", 33m, "tablet", "cell-search"),
        new("SIZO-5", new DateTimeOffset(2014, 9, 23, 18, 30, 0, Bishkek), "opium", 3m, "plant", "perimeter"),
        new("KP-26", new DateTimeOffset(2014, 11, 4, 7, 20, 0, Bishkek), "cannabis-oil", 1.5m, "l", "canine"),
    ];

    /// <summary>The test's own arithmetic: exact for mass units, else the substance's factor, else the factor for any, else none.</summary>
    private static decimal? GramsUnder(Dictionary<(string Unit, string Substance), decimal> factors, RawSeizure s) =>
        s.Grams ?? (factors.TryGetValue((s.Unit, s.Substance), out var own) ? s.Value * own
            : factors.TryGetValue((s.Unit, "*"), out var any) ? s.Value * any : null);

    [Fact]
    public async Task publishing_another_table_version_and_rebuilding_recomputes_every_figure_and_keeps_the_recorded_quantities()
    {
        await fixture.ResetAsync();
        var hostX = fixture.Host;
        var ids = new Dictionary<Guid, RawSeizure>();
        foreach (var seizure in Seizures)
        {
            ids[(await hostX.RecordAsync(seizure.Body)).Id] = seizure;
        }
        await hostX.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

        await SummariesShouldFollowAsync(hostX, TestTables.FactorsX);
        await SeizuresShouldFollowAsync(hostX, ids, TestTables.FactorsX, "test-x");
        await MapShouldFollowAsync(hostX, ids, TestTables.FactorsX);
        await hostX.StopAsync(); // the fixture's dispose copes with a stopped host

        var hostY = await fixture.StartHostAsync(b => fixture.UseTables(b, "test-y"));
        try
        {
            (await GetJsonAsync(hostY, "/api/reference/conversion-tables")).GetProperty("active").GetString().ShouldBe("test-y");
            // A seizure's own view derives its mass when read, so it follows test-y at once; the stored totals were
            // computed under test-x and stay so until the ledger is rebuilt.
            await SeizuresShouldFollowAsync(hostY, ids, TestTables.FactorsY, "test-y");
            await SummariesShouldFollowAsync(hostY, TestTables.FactorsX);
            await MapShouldFollowAsync(hostY, ids, TestTables.FactorsX);

            var daemon = hostY.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
            await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
            await hostY.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

            await SummariesShouldFollowAsync(hostY, TestTables.FactorsY);
            await SeizuresShouldFollowAsync(hostY, ids, TestTables.FactorsY, "test-y");
            await MapShouldFollowAsync(hostY, ids, TestTables.FactorsY);

            // The events, which are what was recorded, are untouched: same number, same values and units.
            await using var session = hostY.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var recorded = await session.Events.QueryRawEventDataOnly<SeizureRecorded>().ToListAsync();
            recorded.Count.ShouldBe(Seizures.Count);
            foreach (var e in recorded)
            {
                e.Quantity.Value.ShouldBe(ids[e.SeizureId].Value);
                e.Quantity.Unit.ShouldBe(ids[e.SeizureId].Unit);
            }
        }
        finally
        {
            await hostY.StopAsync();
            await hostY.DisposeAsync();
        }
    }

    private static async Task SummariesShouldFollowAsync(IAlbaHost host, Dictionary<(string Unit, string Substance), decimal> factors)
    {
        foreach (var year in new[] { 2014, 2015 })
        {
            var inYear = Seizures.Where(s => s.Year == year).ToList();
            var summary = await GetJsonAsync(host, $"/api/years/{year}/summary");
            summary.GetProperty("count").GetInt32().ShouldBe(inYear.Count);
            summary.GetProperty("grams").GetDecimal().ShouldBe(inYear.Sum(s => GramsUnder(factors, s) ?? 0), $"grams of {year}");
            summary.GetProperty("withoutMass").GetInt32().ShouldBe(inYear.Count(s => GramsUnder(factors, s) is null), $"withoutMass of {year}");
            RowsShouldFollow(summary.GetProperty("bySubstance"), "substance", inYear.GroupBy(s => s.Substance), factors);
            RowsShouldFollow(summary.GetProperty("byFacility"), "facilityId", inYear.GroupBy(s => s.Facility), factors);
        }
        foreach (var facility in Seizures.GroupBy(s => s.Facility))
        {
            var summary = await GetJsonAsync(host, $"/api/facilities/{facility.Key}/summary");
            summary.GetProperty("grams").GetDecimal().ShouldBe(facility.Sum(s => GramsUnder(factors, s) ?? 0), facility.Key);
        }
    }

    private static void RowsShouldFollow(JsonElement rows, string key, IEnumerable<IGrouping<string, RawSeizure>> expected,
        Dictionary<(string Unit, string Substance), decimal> factors)
    {
        var actual = rows.EnumerateArray().ToDictionary(r => r.GetProperty(key).GetString()!,
            r => (Grams: r.GetProperty("grams").GetDecimal(), WithoutMass: r.GetProperty("withoutMass").GetInt32()));
        var wanted = expected.ToDictionary(g => g.Key,
            g => (Grams: g.Sum(s => GramsUnder(factors, s) ?? 0), WithoutMass: g.Count(s => GramsUnder(factors, s) is null)));
        actual.ShouldBe(wanted, ignoreOrder: true);
    }

    private static async Task SeizuresShouldFollowAsync(IAlbaHost host, Dictionary<Guid, RawSeizure> ids,
        Dictionary<(string Unit, string Substance), decimal> factors, string version)
    {
        foreach (var (id, raw) in ids)
        {
            var view = await GetJsonAsync(host, $"/api/seizures/{id}");
            view.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(raw.Value);
            view.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe(raw.Unit);

            var grams = GramsUnder(factors, raw);
            var estimated = grams is not null && raw.Grams is null;
            var what = $"{raw.Value} {raw.Unit} of {raw.Substance}";
            if (grams is null) view.GetProperty("grams").ValueKind.ShouldBe(JsonValueKind.Null, what);
            else view.GetProperty("grams").GetDecimal().ShouldBe(grams.Value, what);
            view.GetProperty("gramsEstimated").GetBoolean().ShouldBe(estimated, what);
            if (estimated) view.GetProperty("gramsTableVersion").GetString().ShouldBe(version, what);
            else view.GetProperty("gramsTableVersion").ValueKind.ShouldBe(JsonValueKind.Null, what);
        }
    }

    /// <summary>The seizure-locations table (here SIZO-1's town point) carries the same stored grams as the totals.</summary>
    private static async Task MapShouldFollowAsync(IAlbaHost host, Dictionary<Guid, RawSeizure> ids,
        Dictionary<(string Unit, string Substance), decimal> factors)
    {
        var map = (await GetJsonAsync(host, "/api/seizures/near?lat=42.873&lon=74.6&radiusKm=1")).GetProperty("features").EnumerateArray()
            .ToDictionary(f => Guid.Parse(f.GetProperty("properties").GetProperty("seizureId").GetString()!), f => f.GetProperty("properties"));
        var atSizo = ids.Where(p => p.Value.Facility == "SIZO-1").ToList();
        map.Keys.ShouldBe(atSizo.Select(p => p.Key), ignoreOrder: true);
        atSizo.ShouldContain(p => p.Value.Grams == null); // one whose mass comes from the table
        foreach (var (id, raw) in atSizo)
        {
            var what = $"{raw.Value} {raw.Unit} of {raw.Substance} on the map";
            if (GramsUnder(factors, raw) is { } grams) map[id].GetProperty("grams").GetDecimal().ShouldBe(grams, what);
            else map[id].GetProperty("grams").ValueKind.ShouldBe(JsonValueKind.Null, what);
        }
    }

    private static async Task<JsonElement> GetJsonAsync(IAlbaHost host, string url)
    {
        var result = await host.Scenario(s => s.Get.Url(url));
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }
}
