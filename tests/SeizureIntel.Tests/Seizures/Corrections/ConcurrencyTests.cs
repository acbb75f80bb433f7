using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Corrections;

public sealed class ConcurrencyTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task get_returns_the_version_as_etag_and_a_change_answers_the_new_one()
    {
        var a = await RecordAsync(Body());
        var read = await Host.Scenario(s => s.Get.Url($"/api/seizures/{a.Id}"));
        read.Context.Response.Headers.ETag.ToString().ShouldBe("\"1\"");

        var changed = await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "r", notes = "found in a shoe" }).ToUrl($"/api/seizures/{a.Id}/corrections");
            s.WithRequestHeader("If-Match", "\"1\"");
        });
        changed.Context.Response.Headers.ETag.ToString().ShouldBe("\"2\"");
    }

    [Fact]
    public async Task a_change_based_on_a_stale_version_is_412_and_nothing_is_written()
    {
        var a = await RecordAsync(Body());
        await ChangeAsync(a.Id, "corrections", new { reason = "first colleague", notes = "one" }, 1);
        var events = await EventCountAsync();

        var problem = await ChangeAsync(a.Id, "corrections", new { reason = "second colleague, stale", notes = "two" }, 1, status: 412);
        problem.GetProperty("status").GetInt32().ShouldBe(412);
        (await EventCountAsync()).ShouldBe(events);
        (await GetJsonAsync($"/api/seizures/{a.Id}")).GetProperty("notes").GetString().ShouldBe("one");
    }

    [Fact]
    public async Task a_change_without_if_match_is_428_and_a_malformed_one_400()
    {
        var a = await RecordAsync(Body());
        await ChangeAsync(a.Id, "void", new { reason = "r" }, version: null, status: 428);
        await Host.Scenario(s =>
        {
            s.Post.Json(new { reason = "r" }).ToUrl($"/api/seizures/{a.Id}/void");
            s.WithRequestHeader("If-Match", "yesterday");
            s.StatusCodeShouldBe(400);
        });
        (await EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task concurrent_changes_on_the_same_version_let_exactly_one_through()
    {
        var a = await RecordAsync(Body());
        var attempts = Enumerable.Range(0, 8).Select(i => Host.Scenario(s =>
        {
            s.Post.Json(new { reason = $"colleague {i}", notes = $"note {i}" }).ToUrl($"/api/seizures/{a.Id}/corrections");
            s.WithRequestHeader("If-Match", "\"1\"");
            s.IgnoreStatusCode();
        })).ToList();
        var results = await Task.WhenAll(attempts);
        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        var odd = string.Join(" | ", await Task.WhenAll(results.Where(r => r.Context.Response.StatusCode is not (200 or 412)).Select(r => r.ReadAsTextAsync())));
        statuses.Count(s => s == 200).ShouldBe(1, odd);
        statuses.Count(s => s == 412).ShouldBe(7, odd);
        (await EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_retried_post_with_the_same_idempotency_key_returns_the_first_answer_and_records_once()
    {
        async Task<(int Status, string Body, string Location)> Post(object body, string key)
        {
            var r = await Host.Scenario(s =>
            {
                s.Post.Json(body).ToUrl("/api/seizures");
                s.WithRequestHeader("Idempotency-Key", key);
                s.IgnoreStatusCode();
            });
            return (r.Context.Response.StatusCode, await r.ReadAsTextAsync(), r.Context.Response.Headers.Location.ToString());
        }

        var first = await Post(Body(), "retry-1");
        var second = await Post(Body(), "retry-1");
        first.Status.ShouldBe(201);
        second.Status.ShouldBe(201);
        JsonSerializer.Deserialize<SeizureCreatedBody>(second.Body, Json).ShouldBe(JsonSerializer.Deserialize<SeizureCreatedBody>(first.Body, Json));
        second.Location.ShouldBe(first.Location);
        (await StreamCountAsync()).ShouldBe(1);

        var misuse = await Post(Body(value: 9m), "retry-1");
        misuse.Status.ShouldBe(409);
        misuse.Body.ShouldContain("Idempotency-Key");
        (await StreamCountAsync()).ShouldBe(1);

        var simultaneous = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Post(Body(), "retry-2")));
        simultaneous.ShouldAllBe(r => r.Status == 201);
        simultaneous.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        (await StreamCountAsync()).ShouldBe(2);
    }
}
