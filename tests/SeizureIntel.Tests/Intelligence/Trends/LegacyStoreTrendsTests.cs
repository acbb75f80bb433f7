using System.Text.Json;
using Marten;
using Marten.Events;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Trends;

/// <summary>A store of its own, so that what this process learnt about other stores' roll-ups does not count here.</summary>
public sealed class LegacyStoreFixture : NodeFixture
{
    public override string Schema => base.Schema + "_legacy";
}

[CollectionDefinition(Name)]
public sealed class LegacyStoreCollection : ICollectionFixture<LegacyStoreFixture>
{
    public const string Name = "legacy-store";
}

/// <summary>
/// A store written before the one-dimension roll-ups existed has its buckets and no roll-ups until a rebuild: a trend
/// with one filter must then be summed from the buckets, never answered short (zeros) from the empty roll-ups.
/// </summary>
[Collection(LegacyStoreCollection.Name)]
public sealed class LegacyStoreTrendsTests(LegacyStoreFixture fixture) : NodeTestAccess
{
    Task<SeizureCreatedBody> NodeTestAccess.RecordAsync(object body) => fixture.Host.RecordAsync(body);
    Task NodeTestAccess.ChangeAsync(Guid id, string action, object body, long version) => fixture.Host.ChangeAsync(id, action, body, version);
    Task NodeTestAccess.WaitForProjectionsAsync() => fixture.Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task a_store_without_roll_ups_answers_one_filter_from_its_buckets()
    {
        await fixture.ResetAsync();
        var seizures = await AnalyticsScenario.RunAsync(this, 30, seed: 17);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.DeleteWhere<MonthlyRollup>(_ => true);
            await session.SaveChangesAsync();
        }

        foreach (var facility in new[] { "SIZO-1", "IK-47" })
        {
            var answer = await fixture.Host.GetJsonAsync($"/api/trends?facility={facility}&from=2014&to=2015&granularity=year");
            var series = answer.GetProperty("series").EnumerateArray()
                .Select(p => (p.GetProperty("period").GetString()!, p.GetProperty("count").GetInt32(), p.GetProperty("grams").GetDecimal())).ToList();
            var expected = new[] { 2014, 2015 }.Select(y =>
            {
                var counted = seizures.Where(s => s.Counted && s.Raw.Facility == facility && s.Raw.Year == y).ToList();
                return ($"{y}", counted.Count, counted.Sum(s => s.Grams ?? 0));
            }).ToList();
            series.ShouldBe(expected);
        }
        seizures.Where(s => s.Counted && s.Raw.Facility == "SIZO-1").ShouldNotBeEmpty();
    }
}
