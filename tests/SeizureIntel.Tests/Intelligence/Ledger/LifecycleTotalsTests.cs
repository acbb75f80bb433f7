using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// A varied life for many seizures (corrections, lab results, voids, duplicate marks), then every total compared
/// with the test's own bookkeeping of the same raw inputs, and a rebuild compared with the live read models.
/// </summary>
public sealed class LifecycleTotalsTests(NodeFixture fixture) : NodeTest(fixture)
{
    private sealed class Expected(RawSeizure raw)
    {
        public RawSeizure Raw { get; set; } = raw;
        public decimal? LabGrams { get; set; }
        public string? LabSubstance { get; set; }
        public bool Voided { get; set; }
        public bool Duplicate { get; set; }
        public bool Counted => !Voided && !Duplicate;
        public decimal? Grams => LabGrams ?? Raw.Grams;
        public string Substance => LabSubstance ?? Raw.Substance;
    }

    [Fact]
    public async Task totals_after_corrections_lab_results_voids_and_duplicates_equal_the_tests_own_bookkeeping_and_survive_a_rebuild()
    {
        var random = new Random(42);
        var seizures = new List<(Guid Id, Expected E)>();
        foreach (var raw in RawSeizure.Varied(45, seed: 99))
            seizures.Add(((await RecordAsync(raw.Body)).Id, new Expected(raw)));

        for (var i = 0; i < seizures.Count; i++)
        {
            var (id, e) = seizures[i];
            long version = 1;
            switch (i % 5)
            {
                case 0: // re-weighed and reclassified
                    e.Raw = e.Raw with { Value = e.Raw.Value + 1m, Unit = "g", Substance = "opium" };
                    await ChangeAsync(id, "corrections", new { reason = "re-weighed", quantity = new { value = e.Raw.Value, unit = "g" }, substance = "opium" }, version);
                    break;
                case 1: // confirmed by the lab
                    await ChangeAsync(id, "lab-submissions", new { lab = "SFC", labCaseNumber = $"SFC-{i}", submittedAt = "2016-01-10T10:00:00+06:00" }, version++);
                    e.LabGrams = Math.Round((decimal)random.NextDouble() * 500m + 0.5m, 2);
                    e.LabSubstance = "heroin";
                    await ChangeAsync(id, "lab-results", new
                    {
                        confirmedSubstance = "heroin", netWeightGrams = e.LabGrams, purityPercent = 40,
                        techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "a-1", reportDate = "2016-02-01",
                    }, version);
                    break;
                case 2 when i % 10 == 2: // voided
                    e.Voided = true;
                    await ChangeAsync(id, "void", new { reason = "test entry" }, version);
                    break;
                case 3 when i > 5: // the same physical seizure as an earlier counted one
                    var original = seizures.Take(i).First(s => s.E.Counted && !s.E.Duplicate);
                    e.Duplicate = true;
                    await ChangeAsync(id, "duplicate-of", new { duplicateOf = original.Id, reason = "same parcel" }, version);
                    break;
            }
        }
        await WaitForProjectionsAsync();

        var counted = seizures.Select(s => s.E).Where(e => e.Counted).ToList();
        foreach (var year in new[] { 2014, 2015 })
        {
            var inYear = counted.Where(e => e.Raw.Year == year).ToList();
            var summary = await GetJsonAsync($"/api/years/{year}/summary");
            summary.GetProperty("count").GetInt32().ShouldBe(inYear.Count);
            summary.GetProperty("grams").GetDecimal().ShouldBe(inYear.Sum(e => e.Grams ?? 0));
            summary.GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(inYear.Sum(e => e.LabGrams ?? 0));
            summary.GetProperty("withoutMass").GetInt32().ShouldBe(inYear.Count(e => e.Grams is null));
            summary.GetProperty("bySubstance").EnumerateArray()
                .ToDictionary(r => r.GetProperty("substance").GetString()!, r => (r.GetProperty("count").GetInt32(), r.GetProperty("grams").GetDecimal()))
                .ShouldBe(inYear.GroupBy(e => e.Substance).ToDictionary(g => g.Key, g => (g.Count(), g.Sum(e => e.Grams ?? 0))), ignoreOrder: true);
        }
        foreach (var facility in counted.Select(e => e.Raw.Facility).Distinct())
        {
            var at = counted.Where(e => e.Raw.Facility == facility).ToList();
            var summary = await GetJsonAsync($"/api/facilities/{facility}/summary");
            summary.GetProperty("count").GetInt32().ShouldBe(at.Count);
            summary.GetProperty("grams").GetDecimal().ShouldBe(at.Sum(e => e.Grams ?? 0));
            summary.GetProperty("lastSeizureAt").GetDateTimeOffset().ShouldBe(at.Max(e => e.Raw.OccurredAt));
        }

        var live = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        // Only SIZO-1 has a point among these facilities: its seizures have rows, voided ones and duplicates not counted.
        var atSizo = seizures.Where(s => s.E.Raw.Facility == "SIZO-1").ToList();
        atSizo.ShouldNotBeEmpty();
        atSizo.ShouldContain(s => !s.E.Counted);
        live[LedgerSnapshot.Locations].ToDictionary(r => Guid.Parse(r[..36]), r => LedgerSnapshot.LocationColumns(r).GetProperty("counted").GetBoolean())
            .ShouldBe(atSizo.ToDictionary(s => s.Id, s => s.E.Counted), ignoreOrder: true);
        var daemon = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>(Host.Services).DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureIntel.Intelligence.Ledger.SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await WaitForProjectionsAsync();
        var rebuilt = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
    }
}
