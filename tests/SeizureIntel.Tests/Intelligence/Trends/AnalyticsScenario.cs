using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Trends;

/// <summary>A seizure as the test expects it to count after its life: the test's own bookkeeping, not the product's.</summary>
public sealed class ExpectedSeizure(RawSeizure raw)
{
    public RawSeizure Raw { get; set; } = raw;
    public decimal? LabGrams { get; set; }
    public string? LabSubstance { get; set; }
    public bool Voided { get; set; }
    public bool Duplicate { get; set; }
    public bool Counted => !Voided && !Duplicate;
    public decimal? Grams => LabGrams ?? Raw.Grams;
    public string Substance => LabSubstance ?? Raw.Substance;
    public int MonthIndex => Raw.Year * 12 + Raw.Month - 1;
}

/// <summary>Records varied seizures, then corrects, lab-confirms, voids and marks duplicates among them through the API.</summary>
public static class AnalyticsScenario
{
    public static async Task<List<ExpectedSeizure>> RunAsync(NodeTestAccess t, int count, int seed)
    {
        var random = new Random(seed);
        var seizures = new List<(Guid Id, ExpectedSeizure E)>();
        foreach (var raw in RawSeizure.Varied(count, seed))
            seizures.Add(((await t.RecordAsync(raw.Body)).Id, new ExpectedSeizure(raw)));

        for (var i = 0; i < seizures.Count; i++)
        {
            var (id, e) = seizures[i];
            switch (i % 6)
            {
                case 0: // moved across New Year in Bishkek: 23:30 local on 31 December 2014 is 17:30 UTC, it counts in 2014
                    e.Raw = e.Raw with { OccurredAt = new DateTimeOffset(2014, 12, 31, 17, 30, 0, TimeSpan.Zero), Value = 12.5m, Unit = "g" };
                    await t.ChangeAsync(id, "corrections", new { reason = "wrong date", occurredAt = "2014-12-31T17:30:00Z", quantity = new { value = 12.5m, unit = "g" } }, 1);
                    break;
                case 1: // the lab's net weight and substance replace the field's
                    await t.ChangeAsync(id, "lab-submissions", new { lab = "SFC", labCaseNumber = $"SFC-{i}", submittedAt = "2016-01-10T10:00:00+06:00" }, 1);
                    e.LabGrams = Math.Round((decimal)random.NextDouble() * 500m + 0.5m, 2);
                    e.LabSubstance = "heroin";
                    await t.ChangeAsync(id, "lab-results", new
                    {
                        confirmedSubstance = "heroin", netWeightGrams = e.LabGrams, purityPercent = 40,
                        techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "a-1", reportDate = "2016-02-01",
                    }, 2);
                    break;
                case 4:
                    e.Voided = true;
                    await t.ChangeAsync(id, "void", new { reason = "test entry" }, 1);
                    break;
                case 5 when i > 6:
                    var original = seizures.Take(i).First(s => s.E.Counted);
                    e.Duplicate = true;
                    await t.ChangeAsync(id, "duplicate-of", new { duplicateOf = original.Id, reason = "same parcel" }, 1);
                    break;
            }
        }
        await t.WaitForProjectionsAsync();
        return seizures.Select(s => s.E).ToList();
    }
}

/// <summary>The protected helpers of <see cref="NodeTest"/>, handed to shared scenario code.</summary>
public interface NodeTestAccess
{
    Task<SeizureCreatedBody> RecordAsync(object body);
    Task ChangeAsync(Guid id, string action, object body, long version);
    Task WaitForProjectionsAsync();
}
