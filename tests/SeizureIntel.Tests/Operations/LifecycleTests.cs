using System.Net;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

public sealed class LifecycleTests(NodeFixture fixture) : OperationTest(fixture)
{
    [Fact]
    public async Task planning_answers_201_with_id_version_location_and_etag_and_the_plan_reads_back()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(Plan(targetFacilities: ["No. 21"], area: Bishkek)).ToUrl("/api/operations");
            s.WithRequestHeader("X-User", "planner-7");
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        var created = result.ReadAsJson<OperationCreatedBody>()!;
        created.Id.Version.ShouldBe(7);
        created.Version.ShouldBe(1);
        result.Context.Response.Headers.Location.ToString().ShouldBe($"/api/operations/{created.Id}");
        result.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");

        var read = await Host.Scenario(s => s.Get.Url($"/api/operations/{created.Id}"));
        read.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");
        var op = await OperationAsync(created.Id);
        op.GetProperty("codeName").GetString().ShouldBe("Barrier-21");
        op.GetProperty("status").GetString().ShouldBe("planned");
        op.GetProperty("leadAgency").GetString().ShouldBe("SSEP");
        Codes(op.GetProperty("agencies")).ShouldBe(["SSEP", "SSDC"]);
        Codes(op.GetProperty("targetFacilities")).ShouldBe(["SIZO-1"]); // "No. 21" resolves to its facility
        op.GetProperty("area").GetProperty("type").GetString().ShouldBe("Polygon");
        op.GetProperty("area").GetProperty("coordinates")[0][2][0].GetDouble().ShouldBe(74.65);
        op.GetProperty("legalBasis").GetString().ShouldBe("MOU SSEP–SSDC");
        op.GetProperty("plannedStart").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2015-03-01T02:00:00Z"));
        op.GetProperty("year").GetInt32().ShouldBe(2015);
        op.GetProperty("countedYear").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        var planned = op.GetProperty("timeline").EnumerateArray().Single();
        planned.GetProperty("event").GetString().ShouldBe("joint_operation_planned");
        planned.GetProperty("user").GetString().ShouldBe("planner-7");
        planned.GetProperty("agency").GetString().ShouldBe("SSEP");
    }

    [Fact]
    public async Task an_operation_runs_from_plan_to_conclusion_and_its_timeline_says_who_did_what_when()
    {
        var before = DateTimeOffset.UtcNow;
        var op = await PlanAsync();
        var v = await DoAsync(op.Id, "agencies", new { agency = "mvd", reason = "arrests" }, op.Version, "coordinator-2");
        v = await DoAsync(op.Id, "launch", new { launchedAt = "2015-03-02T09:00:00+06:00" }, v);
        var a = await RecordAsync(Body(value: 120m, unit: "g", substance: "heroin"));
        var b = await RecordAsync(Body(value: 30m, unit: "g", substance: "opium"));
        v = await DoAsync(op.Id, "seizures", new { seizureId = a.Id }, v);
        v = await DoAsync(op.Id, "seizures", new { seizureId = b.Id }, v);
        v = await DoAsync(op.Id, $"seizures/{b.Id}/unlink", new { reason = "found in the ordinary cell search" }, v);
        v = await DoAsync(op.Id, "arrests", new { count = 2, charges = new[] { "Art. 283 CC KR" } }, v, "mvd-officer-5");
        v = await DoAsync(op.Id, "cases", new { caseNumber = "21-0042", agency = "SSEP", openedOn = "2015-03-03" }, v);
        v = await DoAsync(op.Id, "agencies/MVD/leave", new { reason = "arrests done" }, v);
        v = await DoAsync(op.Id, "conclude", new { summary = "Channel through the parcel room closed.", concludedAt = "2015-04-20T18:00:00+06:00" }, v);
        v.ShouldBe(10);

        var read = await OperationAsync(op.Id);
        read.GetProperty("status").GetString().ShouldBe("concluded");
        read.GetProperty("launchDate").GetString().ShouldBe("2015-03-02");
        read.GetProperty("countedYear").GetInt32().ShouldBe(2015);
        read.GetProperty("summary").GetString().ShouldBe("Channel through the parcel room closed.");
        Codes(read.GetProperty("agencies")).ShouldBe(["SSEP", "SSDC"]);
        var seizures = read.GetProperty("seizures").EnumerateArray().ToList();
        seizures.Select(s => s.GetProperty("id").GetGuid()).ShouldBe([a.Id]);
        seizures[0].GetProperty("reference").GetString().ShouldBe(a.Reference);
        seizures[0].GetProperty("agency").GetString().ShouldBe("SSEP");
        seizures[0].GetProperty("substance").GetString().ShouldBe("heroin");
        seizures[0].GetProperty("bestGrams").GetDecimal().ShouldBe(120m);
        read.GetProperty("grams").GetDecimal().ShouldBe(120m);
        read.GetProperty("arrests").GetInt32().ShouldBe(2);
        read.GetProperty("cases").EnumerateArray().Single().GetProperty("caseNumber").GetString().ShouldBe("21-0042");
        read.GetProperty("version").GetInt64().ShouldBe(10);

        var timeline = read.GetProperty("timeline").EnumerateArray().ToList();
        timeline.Select(e => e.GetProperty("event").GetString()).ShouldBe([
            "joint_operation_planned", "agency_joined", "joint_operation_launched", "seizure_linked", "seizure_linked", "seizure_unlinked",
            "arrests_recorded", "criminal_case_opened", "agency_left", "joint_operation_concluded"]);
        timeline.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        timeline.Select(e => e.GetProperty("user").GetString()).ShouldBe([
            "planner-1", "coordinator-2", "officer-1", "officer-1", "officer-1", "officer-1", "mvd-officer-5", "officer-1", "officer-1", "officer-1"]);
        timeline.ShouldAllBe(e => e.GetProperty("agency").GetString() == "SSEP");
        timeline.ShouldAllBe(e => e.GetProperty("at").GetDateTimeOffset() >= before && e.GetProperty("at").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task a_planned_or_launched_operation_can_be_cancelled_and_then_counts_nowhere()
    {
        var planned = await PlanAsync();
        await DoAsync(planned.Id, "cancel", new { reason = "target transferred" }, planned.Version);
        var (launched, v) = await LaunchedAsync();
        v = await DoAsync(launched, "arrests", new { count = 4, charges = new[] { "Art. 283 CC KR" } }, v);
        await DoAsync(launched, "cancel", new { reason = "compromised" }, v);

        var read = await OperationAsync(launched);
        read.GetProperty("status").GetString().ShouldBe("cancelled");
        read.GetProperty("cancellationReason").GetString().ShouldBe("compromised");
        read.GetProperty("countedYear").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("jointOperations").GetProperty("count").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task the_list_filters_by_year_agency_and_status()
    {
        var a = await PlanAsync(Plan(codeName: "A", plannedStart: "2015-02-01T08:00:00+06:00"));
        await DoAsync(a.Id, "launch", new { launchedAt = "2015-02-02T09:00:00+06:00" }, a.Version);
        // Planned for late 2014 but launched at 01:00 on 1 January 2015 in Bishkek (19:00 UTC on 31 December): it moves to 2015.
        var b = await PlanAsync(Plan(codeName: "B", leadAgency: "SSDC", plannedStart: "2014-12-30T08:00:00+06:00"));
        await DoAsync(b.Id, "launch", new { launchedAt = "2014-12-31T19:00:00Z" }, b.Version);
        await PlanAsync(Plan(codeName: "C", agencies: ["SSEP", "MVD"], plannedStart: "2014-06-01T08:00:00+06:00"));
        var d = await PlanAsync(Plan(codeName: "D", plannedStart: "2016-01-01T00:30:00+06:00", plannedEnd: "2016-02-01T00:00:00+06:00"));
        await DoAsync(d.Id, "cancel", new { reason = "budget" }, d.Version);

        async Task<List<string>> Names(string query) =>
            (await GetJsonAsync($"/api/operations{query}")).EnumerateArray().Select(o => o.GetProperty("codeName").GetString()!).ToList();

        (await Names("")).ShouldBe(["C", "B", "A", "D"]);
        (await Names("?year=2015")).ShouldBe(["B", "A"]);
        (await Names("?year=2014")).ShouldBe(["C"]);
        (await Names("?year=2016")).ShouldBe(["D"]);
        (await Names("?agency=mvd")).ShouldBe(["C"]);
        (await Names("?status=launched")).ShouldBe(["B", "A"]);
        (await Names("?status=cancelled&year=2016")).ShouldBe(["D"]);
        (await Names("?year=2015&agency=SSDC&status=launched")).ShouldBe(["B", "A"]);

        foreach (var (query, field) in new[] { ("?year=soon", "year"), ("?agency=KGB", "agency"), ("?status=paused", "status") })
        {
            var result = await Host.Scenario(s => { s.Get.Url($"/api/operations{query}"); s.StatusCodeShouldBe(400); });
            ErrorFields(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(await result.ReadAsTextAsync())).ShouldBe([field]);
        }
    }

    [Fact]
    public async Task an_unknown_operation_is_404()
    {
        await Host.Scenario(s => { s.Get.Url($"/api/operations/{Guid.CreateVersion7()}"); s.StatusCodeShouldBe(404); });
        await ActAsync(Guid.CreateVersion7(), "launch", new { }, 1, status: 404);
        (await EventCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task the_openapi_document_names_every_operation_route()
    {
        var doc = await GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        var expected = new (string Path, string Method, string OperationId)[]
        {
            ("/api/operations", "post", "planJointOperation"),
            ("/api/operations", "get", "listJointOperations"),
            ("/api/operations/{id}", "get", "getJointOperation"),
            ("/api/operations/{id}/launch", "post", "launchJointOperation"),
            ("/api/operations/{id}/agencies", "post", "joinJointOperation"),
            ("/api/operations/{id}/agencies/{agency}/leave", "post", "leaveJointOperation"),
            ("/api/operations/{id}/seizures", "post", "linkSeizureToJointOperation"),
            ("/api/operations/{id}/seizures/{seizureId}/unlink", "post", "unlinkSeizureFromJointOperation"),
            ("/api/operations/{id}/arrests", "post", "recordJointOperationArrests"),
            ("/api/operations/{id}/cases", "post", "openJointOperationCase"),
            ("/api/operations/{id}/conclude", "post", "concludeJointOperation"),
            ("/api/operations/{id}/cancel", "post", "cancelJointOperation"),
        };
        foreach (var (path, method, operationId) in expected)
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            operation.GetProperty("operationId").GetString().ShouldBe(operationId, $"{method} {path}");
            if (method != "post" || path == "/api/operations") continue;
            // Every change documents its answer (the pipeline's Changed) and its refusals: 409 state, 412 stale If-Match, 428 missing If-Match.
            var responses = operation.GetProperty("responses");
            responses.EnumerateObject().Select(r => r.Name).ShouldBeSubsetOf(["200", "400", "404", "409", "412", "428"]);
            responses.EnumerateObject().Count().ShouldBe(6, path);
            responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref")
                .GetString().ShouldEndWith("/Changed");
        }
        paths.GetProperty("/api/operations").GetProperty("post").GetProperty("responses").EnumerateObject().Select(r => r.Name).ShouldContain("201");
    }
}
