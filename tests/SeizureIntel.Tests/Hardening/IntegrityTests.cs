using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 3: no sequence of changes, however they race, takes a physical seizure out of every total.
/// Marking a duplicate locks the original; an original with live duplicates cannot be voided (void the duplicates
/// first); a seizure with duplicates cannot become a duplicate itself; mutual duplicates lose with 412/409.
/// </summary>
public sealed class IntegrityTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(int Status, string Body)> PostAsync(Guid id, string action, object body, long version)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/seizures/{id}/{action}");
            s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, await result.ReadAsTextAsync());
    }

    private async Task<JsonElement> SeizureAsync(Guid id) => await GetJsonAsync($"/api/seizures/{id}");

    private async Task<int> CountedAsync(params Guid[] ids)
    {
        var counted = 0;
        foreach (var id in ids)
            if ((await SeizureAsync(id)).GetProperty("status").GetString() == "counted") counted++;
        return counted;
    }

    [Fact]
    public async Task an_original_with_duplicates_cannot_be_voided_until_they_are()
    {
        var original = await RecordAsync(Body(value: 1m, unit: "kg"));
        var duplicate = await RecordAsync(Body(value: 1m, unit: "kg"));
        await ChangeAsync(duplicate.Id, "duplicate-of", new { duplicateOf = original.Id, reason = "checkpoint and investigator" }, duplicate.Version);

        // Marking the duplicate moved the original's stream on: its old ETag is stale.
        var version = (await SeizureAsync(original.Id)).GetProperty("version").GetInt64();
        version.ShouldBe(original.Version + 1);
        (await PostAsync(original.Id, "void", new { reason = "wrong" }, original.Version)).Status.ShouldBe(412);

        var refused = await PostAsync(original.Id, "void", new { reason = "wrong" }, version);
        refused.Status.ShouldBe(409);
        refused.Body.ShouldContain(duplicate.Reference);
        await WaitForProjectionsAsync();
        (await Host.YearGramsAsync(2015)).ShouldBe(1000m);

        await ChangeAsync(duplicate.Id, "void", new { reason = "the whole seizure was recorded in error" }, duplicate.Version + 1);
        await ChangeAsync(original.Id, "void", new { reason = "the whole seizure was recorded in error" }, version);
        await WaitForProjectionsAsync();
        (await Host.YearGramsAsync(2015)).ShouldBe(0m);
    }

    [Fact]
    public async Task a_seizure_with_duplicates_cannot_become_a_duplicate()
    {
        var a = await RecordAsync(Body());
        var b = await RecordAsync(Body());
        var c = await RecordAsync(Body());
        await ChangeAsync(c.Id, "duplicate-of", new { duplicateOf = a.Id, reason = "same" }, c.Version);
        var refused = await PostAsync(a.Id, "duplicate-of", new { duplicateOf = b.Id, reason = "same" }, a.Version + 1);
        refused.Status.ShouldBe(409);
        refused.Body.ShouldContain(c.Reference);
        (await CountedAsync(a.Id, b.Id, c.Id)).ShouldBe(2);
    }

    [Fact]
    public async Task mutual_duplicates_racing_never_take_both_out_of_the_totals()
    {
        for (var round = 0; round < 15; round++)
        {
            var a = await RecordAsync(Body(value: 1m, unit: "kg"));
            var b = await RecordAsync(Body(value: 1m, unit: "kg"));
            var answers = await Task.WhenAll(
                PostAsync(a.Id, "duplicate-of", new { duplicateOf = b.Id, reason = "same" }, a.Version),
                PostAsync(b.Id, "duplicate-of", new { duplicateOf = a.Id, reason = "same" }, b.Version));
            answers.Select(x => x.Status).ShouldAllBe(s => s == 200 || s == 409 || s == 412, $"round {round}");
            answers.Count(x => x.Status == 200).ShouldBeLessThanOrEqualTo(1, $"round {round}");
            (await CountedAsync(a.Id, b.Id)).ShouldBeGreaterThanOrEqualTo(1, $"round {round}");
        }
    }

    [Fact]
    public async Task marking_a_duplicate_racing_the_voiding_of_its_original_never_loses_the_seizure()
    {
        for (var round = 0; round < 15; round++)
        {
            var original = await RecordAsync(Body(value: 1m, unit: "kg"));
            var duplicate = await RecordAsync(Body(value: 1m, unit: "kg"));
            var answers = await Task.WhenAll(
                PostAsync(duplicate.Id, "duplicate-of", new { duplicateOf = original.Id, reason = "same" }, duplicate.Version),
                PostAsync(original.Id, "void", new { reason = "wrong" }, original.Version));
            answers.Select(x => x.Status).ShouldAllBe(s => s == 200 || s == 409 || s == 412, $"round {round}");
            answers.Count(x => x.Status == 200).ShouldBe(1, $"round {round}: exactly one of the two may win");
            (await CountedAsync(original.Id, duplicate.Id)).ShouldBe(1, $"round {round}");
        }
    }

    [Fact]
    public async Task chained_duplicates_racing_never_leave_a_duplicate_of_a_duplicate()
    {
        // a → b while b → c: both winning would chain a through b to c; at most one may win, and a, b, c stay one
        // physical seizure each except the one that became a duplicate of a live, counted original.
        for (var round = 0; round < 15; round++)
        {
            var a = await RecordAsync(Body(value: 1m, unit: "kg"));
            var b = await RecordAsync(Body(value: 1m, unit: "kg"));
            var c = await RecordAsync(Body(value: 1m, unit: "kg"));
            var answers = await Task.WhenAll(
                PostAsync(a.Id, "duplicate-of", new { duplicateOf = b.Id, reason = "same" }, a.Version),
                PostAsync(b.Id, "duplicate-of", new { duplicateOf = c.Id, reason = "same" }, b.Version));
            answers.Select(x => x.Status).ShouldAllBe(s => s == 200 || s == 409 || s == 412, $"round {round}");
            answers.Count(x => x.Status == 200).ShouldBe(1, $"round {round}: exactly one of the two may win");
            (await CountedAsync(a.Id, b.Id, c.Id)).ShouldBe(2, $"round {round}");
            foreach (var id in new[] { a.Id, b.Id })
            {
                var seizure = await SeizureAsync(id);
                if (seizure.GetProperty("status").GetString() != "duplicate") continue;
                var original = seizure.GetProperty("duplicateOf").GetGuid();
                (await SeizureAsync(original)).GetProperty("status").GetString().ShouldBe("counted", $"round {round}: {id} names a duplicate as its original");
            }
        }
    }
}
