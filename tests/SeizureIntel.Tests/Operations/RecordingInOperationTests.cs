using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

public sealed class RecordingInOperationTests(NodeFixture fixture) : OperationTest(fixture)
{
    private static object JointBody(Guid? operationId, string detection = "joint-operation") => new
    {
        facilityId = "SIZO-1", occurredAt = "2015-03-05T11:00:00+06:00", substance = "heroin", quantity = new { value = 75, unit = "g" },
        detection, operationId,
    };

    private async Task<JsonElement> PostSeizureAsync(object body, int status, string? idempotencyKey = null)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/seizures");
            s.WithRequestHeader("X-User", "officer-9");
            if (idempotencyKey is not null) s.WithRequestHeader("Idempotency-Key", idempotencyKey);
            s.StatusCodeShouldBe(status);
        });
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    [Fact]
    public async Task a_seizure_recorded_in_a_launched_operation_joins_it_in_the_same_transaction()
    {
        var (id, v) = await LaunchedAsync();
        var created = await PostSeizureAsync(JointBody(id), 201);
        var seizureId = created.GetProperty("id").GetGuid();

        var op = await OperationAsync(id);
        op.GetProperty("version").GetInt64().ShouldBe(v + 1);
        var row = op.GetProperty("seizures").EnumerateArray().Single();
        row.GetProperty("id").GetGuid().ShouldBe(seizureId);
        row.GetProperty("reference").GetString().ShouldBe(created.GetProperty("reference").GetString());
        row.GetProperty("linkedVia").GetString().ShouldBe("recording");
        row.GetProperty("bestGrams").GetDecimal().ShouldBe(75m);
        var linked = op.GetProperty("timeline").EnumerateArray().Last();
        linked.GetProperty("event").GetString().ShouldBe("seizure_linked");
        linked.GetProperty("user").GetString().ShouldBe("officer-9");
        (await GetJsonAsync($"/api/seizures/{seizureId}")).GetProperty("detection").GetString().ShouldBe("joint-operation");

        // It now belongs to this operation: another one cannot take it.
        var (other, otherVersion) = await LaunchedAsync(Plan(codeName: "Other"));
        ErrorFields(await ActAsync(other, "seizures", new { seizureId }, otherVersion, 409)).ShouldBe(["seizureId"]);
    }

    [Fact]
    public async Task operation_id_is_required_with_joint_operation_and_refused_with_any_other_detection()
    {
        var (id, _) = await LaunchedAsync();
        var events = await EventCountAsync();
        ErrorFields(await PostSeizureAsync(JointBody(null), 400)).ShouldBe(["operationId"]);
        ErrorFields(await PostSeizureAsync(JointBody(id, detection: "canine"), 400)).ShouldBe(["operationId"]);
        (await EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task an_operation_that_is_unknown_not_running_or_without_this_agency_refuses_the_seizure_and_nothing_is_written()
    {
        var refusing = await RefusingOperationsAsync();
        var streams = await StreamCountAsync();
        var events = await EventCountAsync();

        foreach (var (operationId, why) in refusing)
        {
            var problem = await PostSeizureAsync(JointBody(operationId), 409);
            ErrorFields(problem).ShouldBe(["operationId"], why);
        }
        (await StreamCountAsync()).ShouldBe(streams);
        (await EventCountAsync()).ShouldBe(events);

        // No reference was used up by the refusals.
        var (open, _) = await LaunchedAsync(Plan(codeName: "Open"));
        (await PostSeizureAsync(JointBody(open), 201)).GetProperty("reference").GetString().ShouldBe("SSEP-2015-000001");
    }

    [Fact]
    public async Task a_retried_recording_into_an_operation_links_once()
    {
        var (id, v) = await LaunchedAsync();
        var first = await PostSeizureAsync(JointBody(id), 201, idempotencyKey: "raid-1");
        var again = await PostSeizureAsync(JointBody(id), 201, idempotencyKey: "raid-1");
        again.GetProperty("id").GetGuid().ShouldBe(first.GetProperty("id").GetGuid());
        var op = await OperationAsync(id);
        op.GetProperty("seizures").GetArrayLength().ShouldBe(1);
        op.GetProperty("version").GetInt64().ShouldBe(v + 1);
    }

    [Fact]
    public async Task simultaneous_recordings_into_one_operation_all_join_it()
    {
        var (id, v) = await LaunchedAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Host.Scenario(s =>
        {
            s.Post.Json(JointBody(id)).ToUrl("/api/seizures");
            s.IgnoreStatusCode();
        })));
        var answers = await Task.WhenAll(results.Select(r => r.ReadAsTextAsync()));
        results.ShouldAllBe(r => r.Context.Response.StatusCode == 201, string.Join(" | ", answers));
        var op = await OperationAsync(id);
        op.GetProperty("seizures").GetArrayLength().ShouldBe(6);
        op.GetProperty("version").GetInt64().ShouldBe(v + 6);
    }

    [Fact]
    public async Task a_recording_waits_for_a_conclusion_in_flight_and_is_then_refused()
    {
        var (id, v) = await LaunchedAsync();
        var conclude = Host.Scenario(s =>
        {
            s.Post.Json(new { summary = "done" }).ToUrl($"/api/operations/{id}/conclude");
            s.WithRequestHeader("If-Match", $"\"{v}\"");
            s.IgnoreStatusCode();
        });
        var record = Host.Scenario(s => { s.Post.Json(JointBody(id)).ToUrl("/api/seizures"); s.IgnoreStatusCode(); });
        var results = await Task.WhenAll(conclude, record);
        var (concluded, recorded) = (results[0].Context.Response.StatusCode, results[1].Context.Response.StatusCode);

        // Either order is a consistent history: concluded then refused, or linked then the stale conclusion refused.
        var op = await OperationAsync(id);
        if (concluded == 200)
        {
            recorded.ShouldBe(409, await results[1].ReadAsTextAsync());
            op.GetProperty("seizures").GetArrayLength().ShouldBe(0);
        }
        else
        {
            (concluded, recorded).ShouldBe((412, 201));
            op.GetProperty("status").GetString().ShouldBe("launched");
            op.GetProperty("seizures").GetArrayLength().ShouldBe(1);
        }
    }
}
