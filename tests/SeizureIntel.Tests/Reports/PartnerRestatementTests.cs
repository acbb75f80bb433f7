using System.Globalization;
using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Sharing;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Reports;

/// <summary>
/// Restatements on the receiving node: a partner's record that arrived after the cut-off, and one the partner withdrew
/// after it (its distribution narrowed), are listed as such with their effect on the published totals. Two real nodes
/// over PostgreSQL queues.
/// </summary>
[Collection(PostgresqlSharingCollection.Name)]
public sealed class PartnerRestatementTests(TwoNodesOnPostgresql nodes) : IAsyncLifetime
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

    [Fact]
    public async Task a_partners_record_received_or_withdrawn_after_the_cut_off_is_listed_with_its_effect()
    {
        var early = await Ssep.RecordAsync(Seizure(5m));
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == 5m, "SSDC counts SSEP's first seizure");
        await Task.Delay(200);
        var cutOff = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(6));
        await Task.Delay(200);

        var late = await Ssep.RecordAsync(Seizure(7m));
        await Ssep.ChangeAsync(early.Id, "sharing", new { reason = "MOU review", distribution = new { scope = "own-agency" } }, early.Version, status: 200);
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == 7m, "SSDC counts the late seizure and no longer the withdrawn one");

        var asOf = Uri.EscapeDataString(cutOff.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture));
        var answer = await Ssdc.GetJsonAsync($"/api/reports/annual/2015/restatement?asOf={asOf}");
        var records = answer.GetProperty("records").EnumerateArray().ToDictionary(r => r.GetProperty("seizureId").GetGuid());
        records.Keys.ShouldBe([early.Id, late.Id], ignoreOrder: true);

        static (string?[] Kinds, int Count, decimal Grams) Read(JsonElement record)
        {
            var effect = record.GetProperty("effect").EnumerateArray().Single();
            effect.GetProperty("year").GetInt32().ShouldBe(2015);
            return (record.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToArray(),
                effect.GetProperty("count").GetInt32(), effect.GetProperty("grams").GetDecimal());
        }
        var received = Read(records[late.Id]);
        received.Kinds.ShouldContain("partner-record-received");
        (received.Count, received.Grams).ShouldBe((1, 7m));
        var withdrawn = Read(records[early.Id]);
        withdrawn.Kinds.ShouldContain("partner-record-withdrawn");
        (withdrawn.Count, withdrawn.Grams).ShouldBe((-1, -5m));

        var total = answer.GetProperty("totals").EnumerateArray().Single(t =>
            t.GetProperty("year").GetInt32() == 2015 && t.GetProperty("table").GetString() == "total" && t.GetProperty("key").GetString() == "all");
        (total.GetProperty("publishedCount").GetInt32(), total.GetProperty("publishedGrams").GetDecimal()).ShouldBe((1, 5m));
        (total.GetProperty("nowCount").GetInt32(), total.GetProperty("nowGrams").GetDecimal()).ShouldBe((1, 7m));
    }
}
