using System.Text.Json;
using SeizureIntel.Pipeline;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

public sealed class RefusalTests(NodeFixture fixture) : OperationTest(fixture)
{
    private static readonly RawSeizure Heroin = new("SIZO-1", DateTimeOffset.Parse("2015-03-05T11:00:00+06:00"), "heroin", 40m, "g", "cell-search");

    public static TheoryData<string, string, string> PlanRefusals()
    {
        static string J(object body) => JsonSerializer.Serialize(body);
        object Square(params double[][] ring) => new { type = "Polygon", coordinates = new[] { ring } };
        return new TheoryData<string, string, string>
        {
            { "no code name", J(Plan(codeName: " ")), "codeName" },
            { "unknown lead", J(Plan(leadAgency: "KGB")), "leadAgency" },
            { "lead not participating", J(Plan(leadAgency: "MVD")), "leadAgency" },
            { "unknown participant", J(Plan(agencies: ["SSEP", "CIA"])), "agencies[1]" },
            { "no participants", J(Plan(agencies: [])), "agencies" },
            { "this node's agency not participating", J(Plan(leadAgency: "SSDC", agencies: ["SSDC", "MVD"])), "agencies" },
            { "unknown target facility", J(Plan(targetFacilities: ["SIZO-99"])), "targetFacilities[0]" },
            { "neither target nor area", J(Plan(targetFacilities: [])), "targetFacilities" },
            { "area not a polygon", J(Plan(area: new { type = "Point", coordinates = new[] { new[] { new[] { 74.6, 42.9 } } } })), "area.type" },
            { "area ring not closed", J(Plan(area: Square([74.5, 42.8], [74.6, 42.8], [74.6, 42.9], [74.5, 42.9]))), "area.coordinates[0]" },
            { "area position out of range", J(Plan(area: Square([74.5, 42.8], [274.6, 42.8], [74.6, 42.9], [74.5, 42.8]))), "area.coordinates[0][1]" },
            { "area latitude first", J(Plan(area: Square([42.8, 74.5], [42.8, 174.6], [42.9, 74.6], [42.8, 74.5]))), "area.coordinates[0][1]" },
            { "area crossing itself", J(Plan(area: Square([74.5, 42.8], [74.6, 42.9], [74.6, 42.8], [74.5, 42.9], [74.5, 42.8]))), "area.coordinates" },
            { "no planned start", J(Plan(plannedStart: "")), "plannedStart" },
            { "planned start without offset", J(Plan(plannedStart: "2015-03-01T08:00:00")), "plannedStart" },
            { "end before start", J(Plan(plannedEnd: "2015-02-01T08:00:00+06:00")), "plannedEnd" },
            { "no legal basis", J(Plan(legalBasis: "")), "legalBasis" },
        };
    }

    [Theory]
    [MemberData(nameof(PlanRefusals))]
    public async Task a_bad_plan_is_refused_with_400_naming_the_field_and_nothing_is_written(string why, string body, string field)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl("/api/operations");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(400);
        });
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe([field], why);
        (await StreamCountAsync()).ShouldBe(0, why);
        (await EventCountAsync()).ShouldBe(0, why);
    }

    [Fact]
    public async Task every_bad_field_of_a_plan_is_named_at_once()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(new { leadAgency = "X", agencies = new[] { "Y" }, plannedStart = "soon" }).ToUrl("/api/operations");
            s.StatusCodeShouldBe(400);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync()))
            .ShouldBe(["agencies[0]", "codeName", "leadAgency", "legalBasis", "plannedEnd", "plannedStart", "targetFacilities"]);
    }

    [Fact]
    public async Task a_json_null_body_is_refused_with_400_naming_the_body()
    {
        var op = await PlanAsync();
        var events = await EventCountAsync();
        foreach (var url in new[] { "/api/operations", $"/api/operations/{op.Id}/launch", $"/api/operations/{op.Id}/agencies/SSDC/leave" })
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Text("null").ToUrl(url);
                s.WithRequestHeader("Content-Type", "application/json");
                s.WithRequestHeader("If-Match", "\"1\"");
                s.StatusCodeShouldBe(400);
            });
            ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe(["body"], url);
        }
        (await EventCountAsync()).ShouldBe(events);
    }

    public static TheoryData<string, string, object, string> ChangeRefusals() => new()
    {
        { "launch in the future", "launch", new { launchedAt = "2999-01-01T00:00:00Z" }, "launchedAt" },
        { "link without seizure", "seizures", new { }, "seizureId" },
        { "unlink without reason", $"seizures/{Guid.Empty}/unlink", new { reason = "" }, "reason" },
        { "no arrests", "arrests", new { count = 0, charges = new[] { "Art. 283" } }, "count" },
        { "arrests without charges", "arrests", new { count = 1 }, "charges" },
        { "a blank charge", "arrests", new { count = 1, charges = new[] { " " } }, "charges[0]" },
        { "case without number", "cases", new { agency = "SSEP" }, "caseNumber" },
        { "case of an unknown agency", "cases", new { caseNumber = "1", agency = "FBI" }, "agency" },
        { "case opened on a bad date", "cases", new { caseNumber = "1", agency = "SSEP", openedOn = "03/03/2015" }, "openedOn" },
        { "joining an unknown agency", "agencies", new { agency = "NSA" }, "agency" },
        { "an unknown agency leaving", "agencies/NSA/leave", new { reason = "r" }, "agency" },
        { "leaving without reason", "agencies/SSDC/leave", new { }, "reason" },
        { "conclusion without summary", "conclude", new { }, "summary" },
        { "conclusion at a malformed instant", "conclude", new { summary = "s", concludedAt = "April" }, "concludedAt" },
        { "cancellation without reason", "cancel", new { }, "reason" },
    };

    [Theory]
    [MemberData(nameof(ChangeRefusals))]
    public async Task a_bad_change_is_refused_with_400_naming_the_field_and_nothing_is_written(string why, string action, object body, string field)
    {
        var (id, version) = await LaunchedAsync();
        var events = await EventCountAsync();
        ErrorFields(await ActAsync(id, action, body, version, 400)).ShouldBe([field], why);
        (await EventCountAsync()).ShouldBe(events, why);
        (await VersionOfAsync(id)).ShouldBe(version, why);
    }

    [Fact]
    public async Task a_planned_operation_refuses_seizures_arrests_cases_and_conclusion()
    {
        var op = await PlanAsync();
        var seizure = await RecordAsync(Heroin.Body);
        var events = await EventCountAsync();

        ErrorFields(await ActAsync(op.Id, "seizures", new { seizureId = seizure.Id }, 1, 409)).ShouldBe(["operation"]);
        ErrorFields(await ActAsync(op.Id, $"seizures/{seizure.Id}/unlink", new { reason = "r" }, 1, 409)).ShouldBe(["operation"]);
        ErrorFields(await ActAsync(op.Id, "arrests", new { count = 1, charges = new[] { "c" } }, 1, 409)).ShouldBe(["operation"]);
        ErrorFields(await ActAsync(op.Id, "cases", new { caseNumber = "1", agency = "SSEP" }, 1, 409)).ShouldBe(["operation"]);
        ErrorFields(await ActAsync(op.Id, "conclude", new { summary = "s" }, 1, 409)).ShouldBe(["operation"]);
        (await EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_launched_operation_refuses_what_its_state_forbids_naming_the_field()
    {
        var (id, v) = await LaunchedAsync(Plan(agencies: ["SSEP", "SSDC", "MVD"]));
        var (other, otherVersion) = await LaunchedAsync(Plan(codeName: "Other"));
        var linked = await RecordAsync(Heroin.Body);
        var elsewhere = await RecordAsync(Heroin.Body);
        var voided = await RecordAsync(Heroin.Body);
        var duplicate = await RecordAsync(Heroin.Body);
        var ssdc = await AppendSeizureOfAsync("SSDC", "SSDC-2015-000001", Heroin);
        await ChangeAsync(voided.Id, "void", new { reason = "recorded in error" }, 1);
        await ChangeAsync(duplicate.Id, "duplicate-of", new { duplicateOf = linked.Id, reason = "same parcel" }, 1);
        v = await DoAsync(id, "seizures", new { seizureId = linked.Id }, v);
        v = await DoAsync(id, "seizures", new { seizureId = ssdc }, v);
        v = await DoAsync(id, "cases", new { caseNumber = "21-0042", agency = "SSEP" }, v);
        await DoAsync(other, "seizures", new { seizureId = elsewhere.Id }, otherVersion);
        var events = await EventCountAsync();

        async Task Refused(string action, object body, string field, string why) =>
            ErrorFields(await ActAsync(id, action, body, v, 409)).ShouldBe([field], why);

        await Refused("launch", new { }, "operation", "launched twice");
        await Refused("seizures", new { seizureId = Guid.CreateVersion7() }, "seizureId", "a seizure not in this store");
        await Refused("seizures", new { seizureId = voided.Id }, "seizureId", "a voided seizure");
        await Refused("seizures", new { seizureId = duplicate.Id }, "seizureId", "a duplicate");
        await Refused("seizures", new { seizureId = linked.Id }, "seizureId", "already linked here");
        await Refused("seizures", new { seizureId = elsewhere.Id }, "seizureId", "linked to another operation");
        await Refused($"seizures/{elsewhere.Id}/unlink", new { reason = "r" }, "seizureId", "not linked here");
        await Refused("cases", new { caseNumber = "21-0042", agency = "SSEP" }, "caseNumber", "the same case twice");
        await Refused("agencies", new { agency = "MVD" }, "agency", "joining twice");
        await Refused("agencies/SSEP/leave", new { reason = "r" }, "agency", "the lead leaving");
        await Refused("agencies/SSDC/leave", new { reason = "r" }, "agency", "an agency whose seizure is linked leaving");
        await Refused("conclude", new { summary = "s", concludedAt = "2015-03-01T00:00:00+06:00" }, "concludedAt", "concluded before launch");
        (await EventCountAsync()).ShouldBe(events);

        // Only participants' seizures and cases: MVD leaves, then neither its seizure nor its case is taken.
        v = await DoAsync(id, "agencies/MVD/leave", new { reason = "not needed" }, v);
        var mvd = await AppendSeizureOfAsync("MVD", "MVD-2015-000001", Heroin);
        events = await EventCountAsync();
        await Refused("seizures", new { seizureId = mvd }, "seizureId", "a seizure of a non-participant");
        await Refused("cases", new { caseNumber = "7", agency = "MVD" }, "agency", "a case of a non-participant");
        await Refused("agencies/MVD/leave", new { reason = "r" }, "agency", "a non-participant leaving");
        (await EventCountAsync()).ShouldBe(events);
    }

    [Theory]
    [InlineData("concluded")]
    [InlineData("cancelled")]
    public async Task a_closed_operation_takes_no_more_changes(string how)
    {
        var (id, v) = await LaunchedAsync();
        var seizure = await RecordAsync(Heroin.Body);
        v = await DoAsync(id, "seizures", new { seizureId = seizure.Id }, v);
        var fresh = await RecordAsync(Heroin.Body);
        v = how == "concluded"
            ? await DoAsync(id, "conclude", new { summary = "done", concludedAt = "2015-04-01T10:00:00+06:00" }, v)
            : await DoAsync(id, "cancel", new { reason = "compromised" }, v);
        var events = await EventCountAsync();

        var attempts = new (string Action, object Body)[]
        {
            ("launch", new { }),
            ("agencies", new { agency = "MVD" }),
            ("agencies/SSDC/leave", new { reason = "r" }),
            ("seizures", new { seizureId = fresh.Id }),
            ($"seizures/{seizure.Id}/unlink", new { reason = "r" }),
            ("arrests", new { count = 1, charges = new[] { "c" } }),
            ("cases", new { caseNumber = "9", agency = "SSEP" }),
            ("conclude", new { summary = "again" }),
            ("cancel", new { reason = "again" }),
        };
        foreach (var (action, body) in attempts)
            ErrorFields(await ActAsync(id, action, body, v, 409)).ShouldBe(["operation"], $"{how}: {action}");
        (await EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_change_without_if_match_is_428_a_stale_one_412_and_a_malformed_one_400()
    {
        var (id, v) = await LaunchedAsync();
        var events = await EventCountAsync();

        var missing = await ActAsync(id, "arrests", new { count = 1, charges = new[] { "c" } }, version: null, status: 428);
        missing.GetProperty("detail").GetString()!.ShouldContain("/api/operations/{id}");
        var stale = await ActAsync(id, "arrests", new { count = 1, charges = new[] { "c" } }, version: v - 1, status: 412);
        stale.GetProperty("title").GetString()!.ShouldContain("joint operation");
        await Host.Scenario(s =>
        {
            s.Post.Json(new { count = 1, charges = new[] { "c" } }).ToUrl($"/api/operations/{id}/arrests");
            s.WithRequestHeader("If-Match", "latest");
            s.StatusCodeShouldBe(400);
        });
        (await EventCountAsync()).ShouldBe(events);

        var changed = await Host.Scenario(s =>
        {
            s.Post.Json(new { count = 1, charges = new[] { "c" } }).ToUrl($"/api/operations/{id}/arrests");
            s.WithRequestHeader("If-Match", $"W/\"{v}\"");
        });
        changed.Context.Response.Headers.ETag.ToString().ShouldBe($"\"{v + 1}\"");
    }

    [Fact]
    public async Task concurrent_changes_on_the_same_version_let_exactly_one_through()
    {
        var (id, v) = await LaunchedAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Host.Scenario(s =>
        {
            s.Post.Json(new { count = i + 1, charges = new[] { "c" } }).ToUrl($"/api/operations/{id}/arrests");
            s.WithRequestHeader("If-Match", $"\"{v}\"");
            s.IgnoreStatusCode();
        })));
        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        statuses.Count(s => s == 200).ShouldBe(1);
        statuses.Count(s => s == 412).ShouldBe(7);
        (await OperationAsync(id)).GetProperty("arrestRecords").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task two_operations_racing_for_one_seizure_let_exactly_one_have_it()
    {
        var seizure = await RecordAsync(Heroin.Body);
        var a = await LaunchedAsync(Plan(codeName: "A"));
        var b = await LaunchedAsync(Plan(codeName: "B"));
        var results = await Task.WhenAll(new[] { a, b }.Select(op => Host.Scenario(s =>
        {
            s.Post.Json(new { seizureId = seizure.Id }).ToUrl($"/api/operations/{op.Id}/seizures");
            s.WithRequestHeader("If-Match", $"\"{op.Version}\"");
            s.IgnoreStatusCode();
        })));
        var answers = await Task.WhenAll(results.Select(r => r.ReadAsTextAsync()));
        results.Select(r => r.Context.Response.StatusCode).Order().ToList().ShouldBe([200, 409], string.Join(" | ", answers));
        var linkedTo = new[] { a.Id, b.Id };
        var holders = 0;
        foreach (var op in linkedTo) holders += (await OperationAsync(op)).GetProperty("seizures").GetArrayLength();
        holders.ShouldBe(1);
    }

    [Fact]
    public async Task an_unlinked_seizure_may_join_another_operation()
    {
        var seizure = await RecordAsync(Heroin.Body);
        var (a, va) = await LaunchedAsync(Plan(codeName: "A"));
        var (b, vb) = await LaunchedAsync(Plan(codeName: "B"));
        va = await DoAsync(a, "seizures", new { seizureId = seizure.Id }, va);
        await DoAsync(a, $"seizures/{seizure.Id}/unlink", new { reason = "belongs to B" }, va);
        await DoAsync(b, "seizures", new { seizureId = seizure.Id }, vb);
        (await OperationAsync(a)).GetProperty("seizures").GetArrayLength().ShouldBe(0);
        (await OperationAsync(b)).GetProperty("seizures").GetArrayLength().ShouldBe(1);
    }
}
