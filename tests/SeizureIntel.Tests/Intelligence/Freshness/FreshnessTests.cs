using System.Text.Json;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Freshness;

/// <summary>The dashboard warns when figures lag the events: the freshness answer must say so, and by how much.</summary>
public sealed class FreshnessTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task figures_are_stale_while_the_projection_is_behind_and_fresh_once_it_has_caught_up()
    {
        await RecordAsync(Body());
        await WaitForProjectionsAsync();
        var fresh = await GetJsonAsync("/api/projections/freshness");
        fresh.GetProperty("stale").GetBoolean().ShouldBeFalse();
        Ledger(fresh).GetProperty("behind").GetInt64().ShouldBe(0);

        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        long appended;
        try
        {
            var before = await EventCountAsync();
            await RecordAsync(Body(substance: "heroin", value: 5, unit: "g"));
            await RecordAsync(Body(substance: "opium", value: 7, unit: "g"));
            appended = await EventCountAsync() - before;
            appended.ShouldBe(2);

            var stale = await GetJsonAsync("/api/projections/freshness");
            stale.GetProperty("stale").GetBoolean().ShouldBeTrue();
            Ledger(stale).GetProperty("behind").GetInt64().ShouldBe(appended);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        await WaitForProjectionsAsync();
        var caughtUp = await GetJsonAsync("/api/projections/freshness");
        caughtUp.GetProperty("stale").GetBoolean().ShouldBeFalse();
        Ledger(caughtUp).GetProperty("behind").GetInt64().ShouldBe(0);
    }

    private static JsonElement Ledger(JsonElement freshness) =>
        freshness.GetProperty("projections").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString()!.StartsWith(SeizureLedgerProjection.Name, StringComparison.Ordinal));
}
