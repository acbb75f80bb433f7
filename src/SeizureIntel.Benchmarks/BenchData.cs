using JasperFx.Events;
using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Benchmarks;

/// <summary>
/// Generated seizure streams for the benchmarks (2013–2015, 8 facilities, 7 substances, 6 detection methods, 5 entry
/// methods, 2 agencies; grams and kilograms), loaded by Marten's bulk COPY of events (<see cref="IDocumentStore.BulkInsertEventsAsync(IReadOnlyList{StreamAction}, int, CancellationToken)"/>)
/// as set-up only: no read model is touched by the load. With <c>mixed</c>, about one seizure in ten is corrected (another
/// facility and quantity), one in twelve gets a lab result (heroin, the lab's net weight) and one in thirty is voided; the
/// generator keeps its own tally of what each year must count afterwards.
/// </summary>
public static class BenchData
{
    public static readonly string[] Facilities = ["SIZO-1", "IK-1", "IK-47", "SIZO-5", "KP-26", "IK-3", "IK-16", "SIZO-50"];
    public static readonly string[] Substances = ["heroin", "cannabis-herb", "cannabis-resin", "opium", "methamphetamine", "tramadol", "cannabis-oil"];
    public static readonly string[] Detections = ["visitor-search", "cell-search", "body-search", "perimeter", "canine", "xray-parcel"];
    public static readonly string[] Entries = ["parcel-post", "visitor", "staff", "throw-over", "unknown"];
    public static readonly string[] Agencies = ["SSEP", "SSDC"];

    /// <summary>What the generator expects each local year to count: seizures and best-weight grams, from its own bookkeeping.</summary>
    public sealed class Expected
    {
        public SortedDictionary<int, (int Count, decimal Grams)> ByYear { get; } = new();
        public int Seizures { get; set; }
        public long Events { get; set; }

        public void Count(int year, decimal grams)
        {
            var (c, g) = ByYear.GetValueOrDefault(year);
            ByYear[year] = (c + 1, g + grams);
        }
    }

    /// <summary>Streams holding <paramref name="events"/> events in all (the last seizure may bring one or two more).</summary>
    public static (List<StreamAction> Streams, Expected Expected) Generate(IDocumentStore store, long events, bool mixed, int seed)
    {
        var registry = (IEventRegistry)((StoreOptions)store.Options).Events;
        var random = new Random(seed);
        var bishkek = TimeSpan.FromHours(6);
        var start = new DateTimeOffset(2013, 1, 1, 0, 0, 0, bishkek);
        var now = DateTimeOffset.UtcNow;
        var by = new Actor("bench", "SSEP");
        var expected = new Expected();
        var streams = new List<StreamAction>();
        for (var i = 0; expected.Events < events; i++)
        {
            var at = start.AddMinutes(random.Next(0, 3 * 365 * 24 * 60));
            var kg = random.Next(10) == 0;
            var quantity = Quantity(random, kg);
            var agency = Agencies[random.Next(Agencies.Length)];
            var id = Guid.CreateVersion7(now);
            var substance = Substances[random.Next(Substances.Length)];
            var list = new List<object>
            {
                new SeizureRecorded(id, agency, $"{agency}-{at.Year}-{i + 1:D7}", Facilities[random.Next(Facilities.Length)], at,
                    DateOnly.FromDateTime(at.DateTime), "Asia/Bishkek", substance, quantity, Detections[random.Next(Detections.Length)], null, "bench", now,
                    Circumstances: new Circumstances(null, Entries[random.Next(Entries.Length)], null, null), Oblast: "KG-C"),
            };
            decimal grams = Grams(quantity);
            var voided = false;
            if (mixed)
            {
                var roll = random.Next(120);
                if (roll < 12)
                {
                    var corrected = Quantity(random, kg: false);
                    list.Add(new SeizureCorrected(id, [new FieldChange("quantity", null, null)], "weighed again", by, now,
                        FacilityId: Facilities[random.Next(Facilities.Length)], Quantity: corrected));
                    grams = Grams(corrected);
                }
                if (roll is >= 10 and < 20)
                {
                    var net = Math.Round((decimal)random.NextDouble() * 400m + 0.5m, 2);
                    list.Add(new LabAnalysisReported(id, "SFC", $"SFC-{i}", "heroin", net, 40m, [new LabTechnique("GC-MS", "A")], "a-1",
                        DateOnly.FromDateTime(at.DateTime).AddDays(30), by, now));
                    grams = net;
                }
                if (roll is >= 20 and < 24)
                {
                    list.Add(new SeizureVoided(id, "test entry", by, now));
                    voided = true;
                }
            }
            streams.Add(StreamAction.Start(registry, id, list.ToArray()));
            expected.Events += list.Count;
            expected.Seizures++;
            if (!voided) expected.Count(at.Year, grams);
        }
        return (streams, expected);
    }

    private static Quantity Quantity(Random random, bool kg) =>
        new(kg ? Math.Round((decimal)random.NextDouble() * 5m + 0.001m, 3) : Math.Round((decimal)random.NextDouble() * 900m + 0.1m, 1), kg ? "kg" : "g");

    private static decimal Grams(Quantity q) => q.Unit == "kg" ? q.Value * 1000m : q.Value;

    /// <summary>Bulk-loads the streams by COPY in chunks (set-up, not measured as the product's speed).</summary>
    public static async Task LoadAsync(IDocumentStore store, List<StreamAction> streams)
    {
        foreach (var chunk in streams.Chunk(50_000)) await store.BulkInsertEventsAsync(chunk, 10_000);
    }
}
