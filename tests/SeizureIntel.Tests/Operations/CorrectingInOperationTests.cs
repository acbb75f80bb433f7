using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

/// <summary>
/// A correction of a seizure's detection to or from joint-operation moves its operation link in the same transaction, under
/// the rules of recording. Year figures are checked against what the test computes from its own inputs: masses by unit
/// (<see cref="RawSeizure"/>), operations in the local year of their launch (UTC+6).
/// </summary>
public sealed class CorrectingInOperationTests(NodeFixture fixture) : OperationTest(fixture)
{
    private static readonly RawSeizure Heroin = new("SIZO-1", DateTimeOffset.Parse("2015-03-05T11:00:00+06:00"), "heroin", 75m, "g", "cell-search");
    private static readonly RawSeizure Resin = new("SIZO-1", DateTimeOffset.Parse("2015-03-06T15:00:00+06:00"), "cannabis-resin", 1.5m, "kg", "xray-parcel");

    private static object Joint(RawSeizure raw, Guid operationId) => new
    {
        facilityId = raw.Facility, occurredAt = raw.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssK"), substance = raw.Substance,
        quantity = new { value = raw.Value, unit = raw.Unit }, detection = "joint-operation", operationId,
    };

    /// <summary>An operation planned for the autumn of 2014 in Bishkek.</summary>
    private static object Autumn2014(string codeName = "Autumn") =>
        Plan(codeName: codeName, plannedStart: "2014-11-01T08:00:00+06:00", plannedEnd: "2014-12-20T20:00:00+06:00");

    private static object ToJoint(Guid operationId, string reason = "the raid's log lists it") =>
        new { reason, detection = "joint-operation", operationId };

    /// <summary>The year summary's jointOperations as (count, seizures, grams).</summary>
    private async Task<(int Count, int Seizures, decimal Grams)> JointYearAsync(int year, string? asOf = null)
    {
        await WaitForProjectionsAsync();
        var url = $"/api/years/{year}/summary" + (asOf is null ? "" : $"?asOf={Uri.EscapeDataString(asOf)}");
        var j = (await GetJsonAsync(url)).GetProperty("jointOperations");
        return (j.GetProperty("count").GetInt32(), j.GetProperty("seizures").GetInt32(), j.GetProperty("grams").GetDecimal());
    }

    private async Task<List<Guid>> LinkedAsync(Guid operationId) =>
        (await OperationAsync(operationId)).GetProperty("seizures").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();

    private async Task<JsonElement> LastOperationEventAsync(Guid operationId) =>
        (await OperationAsync(operationId)).GetProperty("timeline").EnumerateArray().Last();

    private async Task<List<JsonElement>> ChangesOfLastCorrectionAsync(Guid seizureId) =>
        (await GetJsonAsync($"/api/seizures/{seizureId}/history")).GetProperty("events").EnumerateArray().Last()
            .GetProperty("changes").EnumerateArray().ToList();

    private static (string? From, string? To) Change(List<JsonElement> changes, string field)
    {
        var c = changes.Single(x => x.GetProperty("field").GetString() == field);
        return (c.GetProperty("from").GetString(), c.GetProperty("to").GetString());
    }

    [Fact]
    public async Task operation_id_is_required_when_detection_is_corrected_to_joint_operation_and_taken_with_no_other_detection()
    {
        var (op, _) = await LaunchedAsync();
        var seizure = await RecordAsync(Heroin.Body);
        var events = await EventCountAsync();

        ErrorFields(await ChangeAsync(seizure.Id, "corrections", new { reason = "r", detection = "joint-operation" }, 1, 400)).ShouldBe(["operationId"]);
        ErrorFields(await ChangeAsync(seizure.Id, "corrections", new { reason = "r", detection = "canine", operationId = op }, 1, 400)).ShouldBe(["operationId"]);
        ErrorFields(await ChangeAsync(seizure.Id, "corrections", new { reason = "r", operationId = op }, 1, 400)).ShouldBe(["operationId"]);
        (await EventCountAsync()).ShouldBe(events);
        (await CountAsync("mt_doc_seizureoperationlink")).ShouldBe(0);
    }

    [Fact]
    public async Task a_seizure_corrected_to_joint_operation_joins_the_operation_in_the_same_transaction_and_counts_in_its_year()
    {
        var (op, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Heroin.Body);
        (await JointYearAsync(2015)).ShouldBe((1, 0, 0m));

        var answer = await ChangeAsync(seizure.Id, "corrections", ToJoint(op), 1, user: "officer-4");
        answer.GetProperty("version").GetInt64().ShouldBe(2);

        (await GetJsonAsync($"/api/seizures/{seizure.Id}")).GetProperty("detection").GetString().ShouldBe("joint-operation");
        var read = await OperationAsync(op);
        read.GetProperty("version").GetInt64().ShouldBe(v + 1);
        var row = read.GetProperty("seizures").EnumerateArray().Single();
        row.GetProperty("id").GetGuid().ShouldBe(seizure.Id);
        row.GetProperty("linkedVia").GetString().ShouldBe("correction");
        row.GetProperty("linkedBy").GetString().ShouldBe("officer-4");
        (await LastOperationEventAsync(op)).GetProperty("event").GetString().ShouldBe("seizure_linked");
        var changes = await ChangesOfLastCorrectionAsync(seizure.Id);
        Change(changes, "detection").ShouldBe(("cell-search", "joint-operation"));
        Change(changes, "operationId").ShouldBe((null, op.ToString()));

        (await JointYearAsync(2015)).ShouldBe((1, 1, Heroin.Grams!.Value));

        // It belongs to the operation now: another one cannot take it, and a second correction to the same operation changes nothing.
        var (other, otherVersion) = await LaunchedAsync(Plan(codeName: "Other"));
        ErrorFields(await ActAsync(other, "seizures", new { seizureId = seizure.Id }, otherVersion, 409)).ShouldBe(["seizureId"]);
        ErrorFields(await ChangeAsync(seizure.Id, "corrections", ToJoint(op), 2, 409)).ShouldBe(["fields"]);
    }

    [Fact]
    public async Task a_seizure_already_linked_to_the_operation_named_keeps_its_link_and_only_its_detection_changes()
    {
        var (op, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Resin.Body);
        v = await DoAsync(op, "seizures", new { seizureId = seizure.Id }, v);

        await ChangeAsync(seizure.Id, "corrections", ToJoint(op, "found by the joint team, not the X-ray"), 1);

        (await VersionOfAsync(op)).ShouldBe(v);
        (await LinkedAsync(op)).ShouldBe([seizure.Id]);
        (await ChangesOfLastCorrectionAsync(seizure.Id)).Select(c => c.GetProperty("field").GetString()).ShouldBe(["detection"]);
        (await JointYearAsync(2015)).ShouldBe((1, 1, Resin.Grams!.Value));
    }

    [Fact]
    public async Task an_operation_that_is_unknown_not_running_without_the_seizures_agency_or_a_partners_refuses_the_correction_and_nothing_is_written()
    {
        var refusing = await RefusingOperationsAsync();
        var (open, vo) = await LaunchedAsync(Plan(codeName: "Open"));
        var seizure = await RecordAsync(Heroin.Body);
        var original = await RecordAsync(Heroin.Body);
        var duplicate = await RecordAsync(Heroin.Body);
        await ChangeAsync(duplicate.Id, "duplicate-of", new { duplicateOf = original.Id, reason = "same parcel" }, 1);
        var events = await EventCountAsync();

        foreach (var (operationId, why) in refusing)
            ErrorFields(await ChangeAsync(seizure.Id, "corrections", ToJoint(operationId), 1, 409)).ShouldBe(["operationId"], why);
        // A duplicate counts through its original: it joins no operation.
        ErrorFields(await ChangeAsync(duplicate.Id, "corrections", ToJoint(open), 2, 409)).ShouldBe(["seizure"]);

        (await EventCountAsync()).ShouldBe(events);
        (await CountAsync("mt_doc_seizureoperationlink")).ShouldBe(0);
        (await GetJsonAsync($"/api/seizures/{seizure.Id}")).GetProperty("detection").GetString().ShouldBe("cell-search");
        (await VersionOfAsync(open)).ShouldBe(vo);
        // Launched in 2015 and not cancelled: Concluded, Without SSEP, Their-Raid and Open; nothing linked to any.
        (await JointYearAsync(2015)).ShouldBe((4, 0, 0m));
    }

    [Fact]
    public async Task a_seizure_corrected_away_from_joint_operation_leaves_its_operation_with_the_reason_and_the_year_figures_follow()
    {
        var (op, v) = await LaunchedAsync();
        var stays = (await RecordAsync(Joint(Resin, op))).Id;
        var leaves = (await RecordAsync(Joint(Heroin, op))).Id;
        v += 2;
        (await JointYearAsync(2015)).ShouldBe((1, 2, Resin.Grams!.Value + Heroin.Grams!.Value));

        await ChangeAsync(leaves, "corrections", new { reason = "found in the routine cell search", detection = "cell-search" }, 1, user: "officer-7");

        (await LinkedAsync(op)).ShouldBe([stays]);
        (await VersionOfAsync(op)).ShouldBe(v + 1);
        var unlinked = await LastOperationEventAsync(op);
        unlinked.GetProperty("event").GetString().ShouldBe("seizure_unlinked");
        unlinked.GetProperty("user").GetString().ShouldBe("officer-7");
        unlinked.GetProperty("data").GetProperty("reason").GetString()
            .ShouldBe("detection corrected from joint-operation to cell-search: found in the routine cell search");
        Change(await ChangesOfLastCorrectionAsync(leaves), "operationId").ShouldBe((op.ToString(), null));
        (await CountAsync("mt_doc_seizureoperationlink")).ShouldBe(1);
        (await JointYearAsync(2015)).ShouldBe((1, 1, Resin.Grams!.Value));

        // Free of any operation now: it may join another (a seizure found another way can be linked).
        var (other, otherVersion) = await LaunchedAsync(Plan(codeName: "Other"));
        await DoAsync(other, "seizures", new { seizureId = leaves }, otherVersion);
        (await JointYearAsync(2015)).ShouldBe((2, 2, Resin.Grams!.Value + Heroin.Grams!.Value));
    }

    [Fact]
    public async Task a_seizure_linked_with_another_detection_keeps_its_link_when_that_detection_is_corrected()
    {
        var (op, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Resin.Body);
        v = await DoAsync(op, "seizures", new { seizureId = seizure.Id }, v);

        await ChangeAsync(seizure.Id, "corrections", new { reason = "the dog found it", detection = "canine" }, 1);

        (await VersionOfAsync(op)).ShouldBe(v);
        (await LinkedAsync(op)).ShouldBe([seizure.Id]);
        (await JointYearAsync(2015)).ShouldBe((1, 1, Resin.Grams!.Value));
    }

    [Theory]
    [InlineData("concluded")]
    [InlineData("cancelled")]
    public async Task a_closed_operation_keeps_its_seizures_a_correction_away_from_joint_operation_or_to_another_operation_is_refused(string how)
    {
        var (op, v) = await LaunchedAsync(Autumn2014(), launchedAt: "2014-11-02T09:00:00+06:00");
        var seizure = await RecordAsync(Joint(Heroin, op));
        v = how == "concluded"
            ? await DoAsync(op, "conclude", new { summary = "done", concludedAt = "2015-04-01T10:00:00+06:00" }, v + 1)
            : await DoAsync(op, "cancel", new { reason = "compromised" }, v + 1);
        var (other, _) = await LaunchedAsync(Plan(codeName: "Other"));
        var expected2014 = how == "concluded" ? (1, 1, Heroin.Grams!.Value) : (0, 0, 0m);
        (await JointYearAsync(2014)).ShouldBe(expected2014);
        var events = await EventCountAsync();

        ErrorFields(await ChangeAsync(seizure.Id, "corrections", new { reason = "r", detection = "cell-search" }, 1, 409)).ShouldBe(["detection"], how);
        ErrorFields(await ChangeAsync(seizure.Id, "corrections", ToJoint(other), 1, 409)).ShouldBe(["operationId"], how);

        (await EventCountAsync()).ShouldBe(events);
        (await VersionOfAsync(op)).ShouldBe(v);
        (await LinkedAsync(op)).ShouldBe([seizure.Id]);
        (await JointYearAsync(2014)).ShouldBe(expected2014);
        (await JointYearAsync(2015)).ShouldBe((1, 0, 0m));
    }

    [Fact]
    public async Task a_correction_naming_another_running_operation_moves_the_seizure_between_them_and_between_their_years()
    {
        // A launched in late 2014 (Bishkek), B in 2015: the seizure counts in its operation's year, whatever its own date.
        var (a, va) = await LaunchedAsync(Autumn2014(), launchedAt: "2014-11-02T09:00:00+06:00");
        var (b, vb) = await LaunchedAsync(Plan(codeName: "Spring"));
        var seizure = await RecordAsync(Joint(Heroin, a));
        va++;
        await Task.Delay(50);
        var before = DateTimeOffset.UtcNow.ToString("O");
        await Task.Delay(50);
        (await JointYearAsync(2014)).ShouldBe((1, 1, Heroin.Grams!.Value));
        (await JointYearAsync(2015)).ShouldBe((1, 0, 0m));

        await ChangeAsync(seizure.Id, "corrections", ToJoint(b, "recorded under the wrong operation"), 1);

        (await LinkedAsync(a)).ShouldBeEmpty();
        (await LinkedAsync(b)).ShouldBe([seizure.Id]);
        (await VersionOfAsync(a)).ShouldBe(va + 1);
        (await VersionOfAsync(b)).ShouldBe(vb + 1);
        (await LastOperationEventAsync(a)).GetProperty("data").GetProperty("reason").GetString()
            .ShouldBe("moved to joint operation Spring by a correction of the seizure: recorded under the wrong operation");
        var changes = await ChangesOfLastCorrectionAsync(seizure.Id);
        changes.Select(c => c.GetProperty("field").GetString()).ShouldBe(["operationId"]); // the detection stays joint-operation
        Change(changes, "operationId").ShouldBe((a.ToString(), b.ToString()));
        (await CountAsync("mt_doc_seizureoperationlink")).ShouldBe(1);
        (await JointYearAsync(2014)).ShouldBe((1, 0, 0m));
        (await JointYearAsync(2015)).ShouldBe((1, 1, Heroin.Grams!.Value));
        // As the figures stood before the move, from the events recorded up to then.
        (await JointYearAsync(2014, before)).ShouldBe((1, 1, Heroin.Grams!.Value));
        (await JointYearAsync(2015, before)).ShouldBe((1, 0, 0m));
    }

    [Fact]
    public async Task a_joint_operation_seizure_is_not_unlinked_by_the_operation_but_by_a_correction_of_its_detection_unless_voided()
    {
        var (op, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Joint(Heroin, op));
        var voided = await RecordAsync(Joint(Resin, op));
        v += 2;
        await ChangeAsync(voided.Id, "void", new { reason = "test kit false positive" }, 1);
        var events = await EventCountAsync();

        var problem = await ActAsync(op, $"seizures/{seizure.Id}/unlink", new { reason = "not part of it" }, v, 409);
        ErrorFields(problem).ShouldBe(["seizureId"]);
        problem.GetProperty("errors").GetProperty("seizureId")[0].GetString()!.ShouldContain("corrections");
        (await EventCountAsync()).ShouldBe(events);

        // A voided seizure counts nowhere and takes no correction: the operation may let it go.
        v = await DoAsync(op, $"seizures/{voided.Id}/unlink", new { reason = "voided" }, v);
        (await LinkedAsync(op)).ShouldBe([seizure.Id]);
        (await JointYearAsync(2015)).ShouldBe((1, 1, Heroin.Grams!.Value));
    }

    [Fact]
    public async Task a_correction_into_an_operation_racing_its_conclusion_ends_in_one_consistent_history()
    {
        var (op, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Heroin.Body);
        var conclude = Host.Scenario(s =>
        {
            s.Post.Json(new { summary = "done" }).ToUrl($"/api/operations/{op}/conclude");
            s.WithRequestHeader("If-Match", $"\"{v}\"");
            s.IgnoreStatusCode();
        });
        var correct = Host.Scenario(s =>
        {
            s.Post.Json(ToJoint(op)).ToUrl($"/api/seizures/{seizure.Id}/corrections");
            s.WithRequestHeader("If-Match", "\"1\"");
            s.IgnoreStatusCode();
        });
        var results = await Task.WhenAll(conclude, correct);
        var (concluded, corrected) = (results[0].Context.Response.StatusCode, results[1].Context.Response.StatusCode);

        var read = await OperationAsync(op);
        var detection = (await GetJsonAsync($"/api/seizures/{seizure.Id}")).GetProperty("detection").GetString();
        if (concluded == 200)
        {
            corrected.ShouldBe(409);
            read.GetProperty("seizures").GetArrayLength().ShouldBe(0);
            detection.ShouldBe("cell-search");
        }
        else
        {
            (concluded, corrected).ShouldBe((412, 200));
            read.GetProperty("status").GetString().ShouldBe("launched");
            read.GetProperty("seizures").GetArrayLength().ShouldBe(1);
            detection.ShouldBe("joint-operation");
        }
    }
}
