using System.Collections.Concurrent;
using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 5: many clients correct the same few seizures at once, each with the version it read. Every change
/// is either applied (200) or refused (412: someone else changed it first; 409), never lost: each seizure's history
/// holds exactly the applied changes, its version moved once per applied change, and its final state is the last one.
/// </summary>
public sealed class ConflictingChangesTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task concurrent_conflicting_corrections_are_each_applied_or_refused_and_none_is_lost()
    {
        const int seizures = 10;
        var total = FaultSizes.ConflictingChanges;
        var ids = new List<Guid>();
        for (var i = 0; i < seizures; i++) ids.Add((await RecordAsync(Body(value: 1m, unit: "g"))).Id);

        var answers = new ConcurrentBag<(Guid Id, int Status, decimal Grams)>();
        var started = DateTime.UtcNow;
        // Twelve clients at a time, each reading a seizure, then sending its correction with the version it read.
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, _) =>
        {
            var id = ids[i % seizures];
            var read = await Host.Scenario(s => s.Get.Url($"/api/seizures/{id}"));
            var version = JsonSerializer.Deserialize<JsonElement>(await read.ReadAsTextAsync()).GetProperty("version").GetInt64();
            var grams = 2m + i; // every change its own value
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(new { reason = $"conflict {i}", quantity = new { value = grams, unit = "g" } }).ToUrl($"/api/seizures/{id}/corrections");
                s.WithRequestHeader("If-Match", $"\"{version}\"");
                s.IgnoreStatusCode();
            });
            answers.Add((id, result.Context.Response.StatusCode, grams));
        });
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        answers.Count.ShouldBe(total);
        answers.Select(a => a.Status).Distinct().ShouldAllBe(s => s == 200 || s == 412 || s == 409);
        var applied = answers.Where(a => a.Status == 200).ToList();
        applied.ShouldNotBeEmpty();
        var lost = 0;
        var doubled = 0;
        foreach (var id in ids)
        {
            var mine = applied.Where(a => a.Id == id).Select(a => a.Grams).ToHashSet();
            var history = (await GetJsonAsync($"/api/seizures/{id}/history")).GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("event").GetString() == "seizure_corrected")
                .Select(e => e.GetProperty("data").GetProperty("quantity").GetProperty("value").GetDecimal()).ToList();
            lost += mine.Count(g => !history.Contains(g));
            doubled += history.Count - history.Distinct().Count() + history.Count(g => !mine.Contains(g));
            var seizure = await GetJsonAsync($"/api/seizures/{id}");
            seizure.GetProperty("version").GetInt64().ShouldBe(1 + mine.Count, $"{id}: one version per applied change");
            seizure.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(history.Last(), $"{id}: the last applied change is the state");
        }
        lost.ShouldBe(0);
        doubled.ShouldBe(0);
        Console.WriteLine($"[figures] conflicting changes: {total} corrections of {seizures} seizures, 12 clients at once, in {seconds:F0} s: " +
                          $"applied {applied.Count}, refused 412×{answers.Count(a => a.Status == 412)}, 409×{answers.Count(a => a.Status == 409)}; " +
                          $"lost: {lost}, double-counted: {doubled}");
    }
}
