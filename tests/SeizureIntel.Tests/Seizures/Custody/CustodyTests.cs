using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Custody;

public sealed class CustodyTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static object Handover(string from, string to, string at = "2015-03-14T12:00:00+06:00", string? seal = "S-0001") =>
        new { from, to, at, sealNumber = seal, reason = "to the evidence room", place = "SIZO-1 evidence room" };

    [Fact]
    public async Task the_chain_of_custody_runs_from_the_seizing_officer_through_the_evidence_room_and_the_lab_to_destruction()
    {
        var a = await RecordAsync(Body(), user: "officer-17");
        await ChangeAsync(a.Id, "custody", Handover("officer-17", "evidence-room-SIZO-1"), 1);
        await ChangeAsync(a.Id, "lab-submissions", new { lab = "State Forensics Centre", labCaseNumber = "SFC-2015-0042", submittedAt = "2015-03-16T09:00:00+06:00" }, 2);
        await ChangeAsync(a.Id, "custody", Handover("State Forensics Centre", "evidence-room-SIZO-1", "2015-04-02T09:00:00+06:00", "S-0002"), 3);
        var done = await ChangeAsync(a.Id, "destruction",
            new { method = "incineration", witnesses = new[] { "officer-3", "prosecutor-office-rep-1" }, destroyedAt = "2015-06-01T10:00:00+06:00", place = "Bishkek" }, 4);
        done.GetProperty("version").GetInt64().ShouldBe(5);

        var seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("custody").EnumerateArray().Select(c => c.GetProperty("custodian").GetString())
            .ShouldBe(["officer-17", "evidence-room-SIZO-1", "State Forensics Centre", "evidence-room-SIZO-1"]);
        seizure.GetProperty("destroyed").GetBoolean().ShouldBeTrue();
        seizure.GetProperty("custody")[1].GetProperty("sealNumber").GetString().ShouldBe("S-0001");
    }

    [Fact]
    public async Task only_the_current_custodian_may_hand_over_and_nothing_moves_after_destruction()
    {
        var a = await RecordAsync(Body(), user: "officer-17");
        var events = await EventCountAsync();
        ErrorFields(await ChangeAsync(a.Id, "custody", Handover("officer-99", "evidence-room"), 1, 409)).ShouldBe(["from"]);
        ErrorFields(await ChangeAsync(a.Id, "custody", Handover("officer-17", "officer-17"), 1, 400)).ShouldBe(["to"]);
        ErrorFields(await ChangeAsync(a.Id, "custody", Handover("officer-17", "evidence-room", at: "2015-03-13T00:00:00+06:00"), 1, 409)).ShouldBe(["at"]);
        ErrorFields(await ChangeAsync(a.Id, "custody", new { to = "x" }, 1, 400)).ShouldBe(["at", "from", "reason"]);
        (await EventCountAsync()).ShouldBe(events);

        await ChangeAsync(a.Id, "destruction", new { method = "incineration", witnesses = new[] { "w-1" }, destroyedAt = "2015-06-01T10:00:00+06:00" }, 1);
        ErrorFields(await ChangeAsync(a.Id, "custody", Handover("officer-17", "evidence-room"), 2, 409)).ShouldBe(["seizure"]);
        ErrorFields(await ChangeAsync(a.Id, "destruction", new { method = "again", witnesses = new[] { "w-1" }, destroyedAt = "2015-06-02T10:00:00+06:00" }, 2, 409)).ShouldBe(["seizure"]);
        ErrorFields(await ChangeAsync(a.Id, "destruction", new { method = "x", witnesses = Array.Empty<string>(), destroyedAt = "2015-06-02T10:00:00+06:00" }, 2, 400)).ShouldBe(["witnesses"]);
    }
}
