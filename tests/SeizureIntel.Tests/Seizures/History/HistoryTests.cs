using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.History;

public sealed class HistoryTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task the_history_lists_every_event_with_who_when_and_why()
    {
        var a = await RecordAsync(Body(), user: "officer-17");
        await ChangeAsync(a.Id, "corrections", new { reason = "scale recalibrated", quantity = new { value = 1.2, unit = "kg" } }, 1, user: "supervisor-2");
        await ChangeAsync(a.Id, "void", new { reason = "entered at the wrong node" }, 2, user: "supervisor-2");

        var history = await GetJsonAsync($"/api/seizures/{a.Id}/history");
        var events = history.GetProperty("events").EnumerateArray().ToList();
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2L, 3L]);
        events.Select(e => e.GetProperty("user").GetString()).ShouldBe(["officer-17", "supervisor-2", "supervisor-2"]);
        events.ShouldAllBe(e => e.GetProperty("agency").GetString() == "SSEP");
        events[1].GetProperty("reason").GetString().ShouldBe("scale recalibrated");
        var change = events[1].GetProperty("changes").EnumerateArray().Single();
        change.GetProperty("field").GetString().ShouldBe("quantity");
        change.GetProperty("from").GetString().ShouldBe("1.25 kg");
        change.GetProperty("to").GetString().ShouldBe("1.2 kg");
        events[2].GetProperty("reason").GetString().ShouldBe("entered at the wrong node");
        events.Select(e => e.GetProperty("recordedAt").GetDateTimeOffset()).ShouldBeInOrder();
    }

    [Fact]
    public async Task as_of_an_instant_a_seizure_and_a_year_are_what_was_recorded_then()
    {
        var a = await RecordAsync(Body(value: 100m, unit: "g"));
        var b = await RecordAsync(Body(value: 20m, unit: "g"));
        await Task.Delay(50);
        var cutOff = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await ChangeAsync(a.Id, "corrections", new { reason = "re-weighed", quantity = new { value = 90, unit = "g" } }, 1);
        await ChangeAsync(b.Id, "void", new { reason = "not a drug" }, 1);
        await RecordAsync(Body(value: 5m, unit: "g"));
        await WaitForProjectionsAsync();

        var asOf = Uri.EscapeDataString(cutOff.ToString("O"));
        var then = await GetJsonAsync($"/api/seizures/{a.Id}?asOf={asOf}");
        then.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(100m);
        then.GetProperty("version").GetInt64().ShouldBe(1);
        (await GetJsonAsync($"/api/seizures/{a.Id}")).GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(90m);

        var yearThen = await GetJsonAsync($"/api/years/2015/summary?asOf={asOf}");
        yearThen.GetProperty("count").GetInt32().ShouldBe(2);
        yearThen.GetProperty("grams").GetDecimal().ShouldBe(120m);
        var yearNow = await GetJsonAsync("/api/years/2015/summary");
        yearNow.GetProperty("count").GetInt32().ShouldBe(2);
        yearNow.GetProperty("grams").GetDecimal().ShouldBe(95m);

        var before = Uri.EscapeDataString(cutOff.AddHours(-1).ToString("O"));
        await Host.Scenario(s => { s.Get.Url($"/api/seizures/{a.Id}?asOf={before}"); s.StatusCodeShouldBe(404); });
        await Host.Scenario(s => { s.Get.Url($"/api/years/2015/summary?asOf=soon"); s.StatusCodeShouldBe(400); });
    }
}
