using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Demo;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Demo;

public sealed class DemoDataTests(NodeFixture fixture) : NodeTest(fixture)
{
    private Task<int> LoadAsync() => DemoData.LoadAsync(Host.Services, CancellationToken.None);

    [Fact]
    public async Task the_demo_data_gives_the_founding_documents_figures_119_9_kg_in_2014_and_140_9_kg_in_2015()
    {
        (await LoadAsync()).ShouldBeGreaterThan(0);
        await WaitForProjectionsAsync();

        (await GetJsonAsync("/api/years/2014/summary")).GetProperty("grams").GetDecimal().ShouldBe(119_900m);
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("grams").GetDecimal().ShouldBe(140_900m);
        // +17.5 % as the working group reported it
        Math.Round((140_900m - 119_900m) / 119_900m * 100m, 1).ShouldBe(17.5m);
    }

    [Fact]
    public async Task the_demo_file_itself_sums_to_the_seed_figures_by_local_date()
    {
        // Independent of the product: read the raw file, convert with +6 h and kg/g by hand.
        using var stream = typeof(DemoData).Assembly.GetManifestResourceStream("SeizureIntel.Demo.demo-seizures.json")!;
        var doc = await JsonDocument.ParseAsync(stream);
        var byYear = doc.RootElement.GetProperty("seizures").EnumerateArray()
            .GroupBy(s => DateTimeOffset.Parse(s.GetProperty("occurredAt").GetString()!).UtcDateTime.AddHours(6).Year)
            .ToDictionary(g => g.Key, g => g.Sum(s =>
            {
                var q = s.GetProperty("quantity");
                var value = q.GetProperty("value").GetDecimal();
                return q.GetProperty("unit").GetString() == "kg" ? value * 1000m : value;
            }));
        byYear.ShouldBe(new Dictionary<int, decimal> { [2014] = 119_900m, [2015] = 140_900m }, ignoreOrder: true);
        doc.RootElement.GetProperty("note").GetString()!.ShouldStartWith("SYNTHETIC");
    }

    [Fact]
    public async Task demo_seizures_are_marked_as_demo_and_loaded_only_once()
    {
        var first = await LoadAsync();
        (await LoadAsync()).ShouldBe(0);
        (await StreamCountAsync()).ShouldBe(first);

        await using var session = Store.QuerySession();
        var seizures = await session.Query<SeizureIntel.Seizures.Seizure>().ToListAsync();
        seizures.Count.ShouldBe(first);
        seizures.ShouldAllBe(s => s.Demo && s.RecordedBy == DemoData.DemoUser);
    }
}
