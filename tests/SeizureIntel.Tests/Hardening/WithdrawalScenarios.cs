using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Sharing;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 3: a seizure's handling code and distribution can be corrected, with a reason; narrowing them
/// withdraws the record from the partner that already holds it (its figures stop counting it, the sender's sharing
/// status shows it withdrawn), widening them shares it again. Two real nodes over PostgreSQL queues.
/// </summary>
[Collection(PostgresqlSharingCollection.Name)]
public sealed class WithdrawalScenarios(TwoNodesOnPostgresql nodes) : IAsyncLifetime
{
    private IAlbaHost Ssep => nodes.Ssep;
    private IAlbaHost Ssdc => nodes.Ssdc;

    public Task InitializeAsync() => nodes.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Seizure(decimal grams) => new
    {
        facilityId = "SIZO-1", occurredAt = "2015-05-02T10:00:00+06:00", substance = "heroin", quantity = new { value = grams, unit = "g" },
        detection = "cell-search",
    };

    private async Task<JsonElement> SsdcPartnerStatusAsync() =>
        (await Ssep.GetJsonAsync("/api/sharing/status")).GetProperty("partners").EnumerateArray().Single(p => p.GetProperty("partner").GetString() == "SSDC");

    private async Task<string?> StatusAtSsdcAsync(Guid id)
    {
        var result = await Ssdc.Scenario(s => { s.Get.Url($"/api/seizures/{id}"); s.IgnoreStatusCode(); });
        if (result.Context.Response.StatusCode != 200) return null;
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync()).GetProperty("status").GetString();
    }

    [Fact]
    public async Task narrowing_the_distribution_withdraws_the_record_from_the_partner_and_widening_shares_it_again()
    {
        const decimal kept = 2m, narrowed = 5m;
        var a = await Ssep.RecordAsync(Seizure(narrowed));
        var b = await Ssep.RecordAsync(Seizure(kept));
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == kept + narrowed, "SSDC counts both of SSEP's seizures");

        // Nothing named, or nothing that changes: refused, nothing written.
        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "MOU review" }, a.Version, status: 400);
        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "MOU review", handlingCode = "H2" }, a.Version, status: 409);
        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "MOU review", distribution = new { scope = "own-agency" } }, a.Version, status: 200);
        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "again", distribution = new { scope = "all-partners" } }, a.Version, status: 412);

        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == kept, "SSDC no longer counts the withdrawn record");
        (await StatusAtSsdcAsync(a.Id)).ShouldNotBe("counted");
        await EventuallyAsync(async () => (await SsdcPartnerStatusAsync()).GetProperty("withdrawn").GetInt32() == 1,
            "SSEP's sharing status shows the record withdrawn once SSDC acknowledged it");
        (await SsdcPartnerStatusAsync()).GetProperty("delivered").GetInt32().ShouldBe(1);
        (await Ssep.YearGramsAsync(2015)).ShouldBe(kept + narrowed, "the origin still counts its own record");

        var history = (await Ssep.GetJsonAsync($"/api/seizures/{a.Id}/history")).GetProperty("events").EnumerateArray().Last();
        history.GetProperty("reason").GetString().ShouldBe("MOU review");
        var change = history.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        change.GetProperty("field").GetString().ShouldBe("distribution");
        change.GetProperty("from").GetString().ShouldBe("all-partners");
        change.GetProperty("to").GetString().ShouldBe("own-agency");

        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "cleared again", distribution = new { scope = "named-partners", partners = new[] { "ssdc" } } },
            a.Version + 1, status: 200);
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == kept + narrowed, "SSDC counts the record again once it is shared again");
        (await StatusAtSsdcAsync(a.Id)).ShouldBe("counted");
        await EventuallyAsync(async () => (await SsdcPartnerStatusAsync()).GetProperty("delivered").GetInt32() == 2, "both delivered again");
    }

    [Fact]
    public async Task narrowing_the_handling_code_reaches_the_partner_which_keeps_counting_the_record_under_the_new_code()
    {
        // H1 → H3 narrows who may read it and whether it may be passed on, not whether SSDC holds it: still shared with SSDC.
        var a = await Ssep.RecordAsync(new
        {
            facilityId = "SIZO-1", occurredAt = "2015-05-02T10:00:00+06:00", substance = "heroin", quantity = new { value = 3m, unit = "g" },
            detection = "cell-search", handlingCode = "H1",
        });
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == 3m, "SSDC counts it");
        await Ssep.ChangeAsync(a.Id, "sharing", new { reason = "source protection", handlingCode = "h3" }, a.Version, status: 200);
        await EventuallyAsync(async () => await CountAsync(
                $"select count(*) from {nodes.SchemaOf("SSDC")}.mt_doc_seizure where id = '{a.Id}' and coalesce(data->>'handlingCode', data->>'HandlingCode') = 'H3'") == 1,
            "SSDC holds the record under its corrected handling code");
        (await Ssdc.YearGramsAsync(2015, "SSEP")).ShouldBe(3m);
    }
}
