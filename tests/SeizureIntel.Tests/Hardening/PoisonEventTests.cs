using Alba;
using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 7: a poison event (here the 7.9 × 10^28 kg of the issue, stored as if before the bounds existed)
/// is parked with its reason; the projection goes on and counts what was recorded after it; /health says degraded and
/// names the projection; the parked event is listed for supervisors.
/// </summary>
public sealed class PoisonEventTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task a_poison_event_is_parked_and_the_projection_counts_the_rest()
    {
        var before = await RecordAsync(Body(value: 1m, unit: "kg"));
        await using (var session = Store.LightweightSession())
        {
            var id = Guid.CreateVersion7();
            var at = new DateTimeOffset(2015, 3, 14, 4, 30, 0, TimeSpan.Zero);
            session.Events.StartStream(id, new SeizureRecorded(id, "SSEP", "SSEP-2015-999999", "SIZO-1", at, new DateOnly(2015, 3, 14), "Asia/Bishkek",
                "heroin", new Quantity(79_000_000_000_000_000_000_000_000_000m, "kg"), "cell-search", null, "officer-1", at));
            await session.SaveChangesAsync();
        }
        var after = await RecordAsync(Body(value: 2m, unit: "kg"));
        await WaitForProjectionsAsync();

        // 1 kg + 2 kg: the two valid seizures, before and after the poison one; nothing of the poison one.
        (await Host.YearGramsAsync(2015)).ShouldBe(3000m);
        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("count").GetInt32().ShouldBe(2);

        var parked = await GetJsonAsync("/api/projections/parked");
        parked.GetProperty("count").GetInt32().ShouldBe(1);
        var first = parked.GetProperty("events")[0];
        first.GetProperty("projection").GetString().ShouldBe("SeizureLedger");
        first.GetProperty("reason").GetString().ShouldNotBeNullOrWhiteSpace();

        var health = await Host.Scenario(s => { s.Get.Url("/health"); s.StatusCodeShouldBeOk(); });
        var text = await health.ReadAsTextAsync();
        text.ShouldStartWith("Degraded");
        text.ShouldContain("SeizureLedger parked 1 poison event");

        // The projection still follows later changes to the valid seizures.
        await ChangeAsync(after.Id, "void", new { reason = "recorded twice" }, after.Version);
        await WaitForProjectionsAsync();
        (await Host.YearGramsAsync(2015)).ShouldBe(1000m);
        before.Reference.ShouldNotBeNullOrEmpty();
    }
}

/// <summary>Issue 13, point 4: the ledger recomputed from the events equals the read models, and a drift is reported.</summary>
public sealed class VerifyLedgerTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task verification_finds_the_read_models_consistent_and_reports_a_drifted_one()
    {
        foreach (var raw in RawSeizure.Varied(20, seed: 7)) await RecordAsync(raw.Body);
        await WaitForProjectionsAsync();
        var verified = await GetJsonAsync("/api/projections/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        verified.GetProperty("seizures").GetInt32().ShouldBe(20);

        // Drift: a year total edited behind the projection's back.
        await using (var session = Store.LightweightSession())
        {
            var year = await session.LoadAsync<SeizureIntel.Intelligence.Years.YearSummary>("2015");
            year.ShouldNotBeNull().Total.Count += 1;
            session.Store(year);
            await session.SaveChangesAsync();
        }
        var drifted = await GetJsonAsync("/api/projections/verify");
        drifted.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        drifted.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ShouldContain("2015");
        var health = await Host.Scenario(s => s.Get.Url("/health"));
        (await health.ReadAsTextAsync()).ShouldContain("ledger verification found");

        // Cleared by the next verification once the read model is rebuilt.
        var daemon = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<JasperFx.Events.Daemon.IProjectionCoordinator>(Host.Services).DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureIntel.Intelligence.Ledger.SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/projections/verify")).GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }
}
