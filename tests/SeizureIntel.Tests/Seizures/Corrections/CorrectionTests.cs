using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Corrections;

public sealed class CorrectionTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task a_correction_is_a_new_event_with_reason_and_the_totals_follow_it()
    {
        var a = await RecordAsync(Body(facilityId: "IK-1", occurredAt: "2015-06-01T10:00:00+06:00", value: 500m, unit: "g"));
        await RecordAsync(Body(facilityId: "IK-1", occurredAt: "2015-07-01T10:00:00+06:00", value: 40m, unit: "g"));
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("grams").GetDecimal().ShouldBe(540m);

        var answer = await ChangeAsync(a.Id, "corrections",
            new { reason = "typo: 50 g, not 500 g", quantity = new { value = 50, unit = "g" }, substance = "heroin" }, version: 1);
        answer.GetProperty("version").GetInt64().ShouldBe(2);
        await WaitForProjectionsAsync();

        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("grams").GetDecimal().ShouldBe(90m);
        year.GetProperty("count").GetInt32().ShouldBe(2);
        year.GetProperty("bySubstance").EnumerateArray().Single(r => r.GetProperty("substance").GetString() == "heroin")
            .GetProperty("grams").GetDecimal().ShouldBe(50m);

        var seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(50m);
        seizure.GetProperty("version").GetInt64().ShouldBe(2);
        (await EventCountAsync()).ShouldBe(3); // two recordings and one correction: nothing was edited
    }

    [Fact]
    public async Task correcting_the_instant_across_new_year_moves_the_seizure_between_years_and_facilities()
    {
        var a = await RecordAsync(Body(facilityId: "IK-1", occurredAt: "2014-12-31T22:00:00+06:00", value: 7m, unit: "g"));
        await RecordAsync(Body(facilityId: "IK-1", occurredAt: "2014-03-01T10:00:00+06:00", value: 1m, unit: "g"));
        await WaitForProjectionsAsync();

        // 18:30Z on 31 December is 00:30 on 1 January in Bishkek.
        await ChangeAsync(a.Id, "corrections", new { reason = "clock of the logbook was wrong", occurredAt = "2014-12-31T18:30:00Z", facilityId = "IK-3" }, 1);
        await WaitForProjectionsAsync();

        (await GetJsonAsync("/api/years/2014/summary")).GetProperty("grams").GetDecimal().ShouldBe(1m);
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("grams").GetDecimal().ShouldBe(7m);
        var ik1 = await GetJsonAsync("/api/facilities/IK-1/summary");
        ik1.GetProperty("grams").GetDecimal().ShouldBe(1m);
        ik1.GetProperty("lastSeizureAt").GetDateTimeOffset().ShouldBe(DateTimeOffset.Parse("2014-03-01T04:00:00Z"));
        (await GetJsonAsync("/api/facilities/IK-3/years/2015/summary")).GetProperty("grams").GetDecimal().ShouldBe(7m);
        (await GetJsonAsync($"/api/seizures/{a.Id}")).GetProperty("localDate").GetString().ShouldBe("2015-01-01");
    }

    [Fact]
    public async Task a_voided_seizure_leaves_every_total_but_its_stream_stays()
    {
        var a = await RecordAsync(Body(value: 100m, unit: "g"));
        await RecordAsync(Body(value: 3m, unit: "g"));
        await ChangeAsync(a.Id, "void", new { reason = "recorded twice by mistake" }, 1);
        await WaitForProjectionsAsync();

        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("count").GetInt32().ShouldBe(1);
        year.GetProperty("grams").GetDecimal().ShouldBe(3m);
        (await GetJsonAsync("/api/facilities/SIZO-1/summary")).GetProperty("count").GetInt32().ShouldBe(1);
        var voided = await GetJsonAsync($"/api/seizures/{a.Id}");
        voided.GetProperty("status").GetString().ShouldBe("voided");
        voided.GetProperty("voidReason").GetString().ShouldBe("recorded twice by mistake");

        var events = await EventCountAsync();
        var refused = await ChangeAsync(a.Id, "corrections", new { reason = "x", notes = "late note" }, 2, status: 409);
        ErrorFields(refused).ShouldBe(["seizure"]);
        (await EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task a_duplicate_is_counted_once()
    {
        var original = await RecordAsync(Body(value: 250m, unit: "g"));
        var copy = await RecordAsync(Body(value: 250m, unit: "g", detection: "intelligence-led"));
        await ChangeAsync(copy.Id, "duplicate-of", new { duplicateOf = original.Id, reason = "same parcel, recorded by the investigator too" }, 1);
        await WaitForProjectionsAsync();

        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("count").GetInt32().ShouldBe(1);
        year.GetProperty("grams").GetDecimal().ShouldBe(250m);
        (await GetJsonAsync($"/api/seizures/{copy.Id}")).GetProperty("status").GetString().ShouldBe("duplicate");
    }

    public static TheoryData<string, string, object, string> Refusals() => new()
    {
        { "correction without reason", "corrections", new { notes = "x" }, "reason" },
        { "correction naming no field", "corrections", new { reason = "because" }, "fields" },
        { "correction to an unknown substance", "corrections", new { reason = "lab said so", substance = "unobtainium" }, "substance" },
        { "correction to a negative quantity", "corrections", new { reason = "r", quantity = new { value = -2, unit = "g" } }, "quantity.value" },
        { "correction to a future instant", "corrections", new { reason = "r", occurredAt = "2999-01-01T00:00:00Z" }, "occurredAt" },
        { "void without reason", "void", new { }, "reason" },
        { "duplicate of nothing", "duplicate-of", new { reason = "r" }, "duplicateOf" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task a_bad_change_is_refused_naming_the_field_and_nothing_is_written(string why, string action, object body, string field)
    {
        var a = await RecordAsync(Body());
        var events = await EventCountAsync();
        var problem = await ChangeAsync(a.Id, action, body, 1, status: 400);
        ErrorFields(problem).ShouldBe([field], why);
        (await EventCountAsync()).ShouldBe(events, why);
    }

    [Fact]
    public async Task domain_refusals_of_duplicate_marks_are_409_and_write_nothing()
    {
        var a = await RecordAsync(Body());
        var b = await RecordAsync(Body());
        var c = await RecordAsync(Body());
        await ChangeAsync(b.Id, "duplicate-of", new { duplicateOf = a.Id, reason = "same" }, 1);
        var events = await EventCountAsync();

        ErrorFields(await ChangeAsync(c.Id, "duplicate-of", new { duplicateOf = b.Id, reason = "same" }, 1, 409)).ShouldBe(["duplicateOf"]);
        ErrorFields(await ChangeAsync(c.Id, "duplicate-of", new { duplicateOf = Guid.CreateVersion7(), reason = "same" }, 1, 409)).ShouldBe(["duplicateOf"]);
        ErrorFields(await ChangeAsync(c.Id, "duplicate-of", new { duplicateOf = c.Id, reason = "same" }, 1, 400)).ShouldBe(["duplicateOf"]);
        ErrorFields(await ChangeAsync(b.Id, "duplicate-of", new { duplicateOf = c.Id, reason = "same" }, 2, 409)).ShouldBe(["seizure"]);
        // a is at version 2: marking b its duplicate locked it (SeizureNamedOriginal).
        ErrorFields(await ChangeAsync(a.Id, "corrections", new { reason = "nothing new", substance = "cannabis-resin" }, 2, 409)).ShouldBe(["fields"]);
        (await EventCountAsync()).ShouldBe(events);
    }
}
