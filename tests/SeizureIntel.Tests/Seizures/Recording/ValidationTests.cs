using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Recording;

public sealed class ValidationTests(NodeFixture fixture) : NodeTest(fixture)
{
    public static TheoryData<string, string, string> Refusals()
    {
        var future = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-ddTHH:mm:ssK");
        return new TheoryData<string, string, string>
        {
            // description, JSON body, field that must be named
            { "unknown facility", Text(facilityId: "SIZO-99"), "facilityId" },
            { "unknown substance", Text(substance: "cannabis-cookies"), "substance" },
            { "unknown unit", Text(unit: "pounds"), "quantity.unit" },
            { "unknown detection", Text(detection: "sniffing"), "detection" },
            { "negative quantity", Text(value: "-1"), "quantity.value" },
            { "zero quantity", Text(value: "0"), "quantity.value" },
            { "date in the future", Text(occurredAt: future), "occurredAt" },
            { "date without offset", Text(occurredAt: "2015-03-14T10:30:00"), "occurredAt" },
            { "missing facility", """{"occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","quantity":{"value":1,"unit":"g"},"detection":"cell-search"}""", "facilityId" },
            { "missing occurredAt", """{"facilityId":"IK-1","substance":"heroin","quantity":{"value":1,"unit":"g"},"detection":"cell-search"}""", "occurredAt" },
            { "missing substance", """{"facilityId":"IK-1","occurredAt":"2015-03-14T10:30:00+06:00","quantity":{"value":1,"unit":"g"},"detection":"cell-search"}""", "substance" },
            { "missing quantity", """{"facilityId":"IK-1","occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","detection":"cell-search"}""", "quantity" },
            { "missing unit", """{"facilityId":"IK-1","occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","quantity":{"value":1},"detection":"cell-search"}""", "quantity.unit" },
            { "missing detection", """{"facilityId":"IK-1","occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","quantity":{"value":1,"unit":"g"}}""", "detection" },
        };
    }

    private static string Text(string facilityId = "IK-1", string occurredAt = "2015-03-14T10:30:00+06:00", string substance = "heroin",
        string value = "1.5", string unit = "g", string detection = "cell-search") =>
        $$"""{"facilityId":"{{facilityId}}","occurredAt":"{{occurredAt}}","substance":"{{substance}}","quantity":{"value":{{value}},"unit":"{{unit}}"},"detection":"{{detection}}"}""";

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task a_bad_field_is_refused_with_400_problem_details_naming_it_and_nothing_is_written(string why, string body, string field)
    {
        var streams = await StreamCountAsync();
        var events = await EventCountAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl("/api/seizures");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(400);
        });

        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        var problem = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        problem.GetProperty("status").GetInt32().ShouldBe(400);
        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        errors.ShouldBe([field], why);
        (await StreamCountAsync()).ShouldBe(streams, why);
        (await EventCountAsync()).ShouldBe(events, why);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    public async Task a_request_without_a_body_is_400_naming_the_body_and_nothing_is_written(string body)
    {
        var recorded = await RecordAsync(Body());
        foreach (var url in new[] { "/api/seizures", $"/api/seizures/{recorded.Id}/corrections", $"/api/seizures/{recorded.Id}/void",
                     $"/api/seizures/{recorded.Id}/custody", $"/api/seizures/{recorded.Id}/lab-results" })
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Text(body).ToUrl(url);
                s.WithRequestHeader("Content-Type", "application/json");
                s.WithRequestHeader("If-Match", "\"1\"");
                s.StatusCodeShouldBe(400);
            });
            var text = await result.ReadAsTextAsync();
            text.ShouldContain("\"status\":400", customMessage: url);
        }
        (await EventCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task every_bad_field_is_named_at_once()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(new { facilityId = "nowhere", occurredAt = "yesterday", substance = "x", quantity = new { value = -3, unit = "bags" }, detection = "luck" })
                .ToUrl("/api/seizures");
            s.StatusCodeShouldBe(400);
        });
        var problem = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order()
            .ShouldBe(["detection", "facilityId", "occurredAt", "quantity.unit", "quantity.value", "substance"]);
        (await StreamCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_refused_post_does_not_use_up_a_reference()
    {
        (await RecordAsync(Body())).Reference.ShouldBe("SSEP-2015-000001");
        await Host.Scenario(s =>
        {
            s.Post.Json(Body(substance: "nothing-known")).ToUrl("/api/seizures");
            s.StatusCodeShouldBe(400);
        });
        (await RecordAsync(Body())).Reference.ShouldBe("SSEP-2015-000002");
    }
}
