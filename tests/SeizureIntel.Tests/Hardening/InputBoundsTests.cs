using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 1: the inputs a new user tried against a live pair of nodes (a 500 on malformed bodies, the year
/// 0001, 7.9 × 10^28 kg, 96,000 trend periods, an upper-case code, an asOf with +06:00) and the other bounds: each is
/// 400 naming the field (or 413/429), never 500, and nothing is written.
/// </summary>
public sealed class InputBoundsTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Valid = """{"facilityId":"SIZO-1","occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","quantity":{"value":1.5,"unit":"g"},"detection":"cell-search"}""";

    private static string With(string field, string json) =>
        JsonSerializer.Serialize(MergeField(JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Valid)!, field, json));

    private static Dictionary<string, JsonElement> MergeField(Dictionary<string, JsonElement> body, string field, string json)
    {
        body[field] = JsonSerializer.Deserialize<JsonElement>(json);
        return body;
    }

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        // description, body, field named in the 400
        { "year 0001", With("occurredAt", "\"0001-03-14T10:30:00+06:00\""), "occurredAt" },
        { "year 1990, before the earliest year", With("occurredAt", "\"1990-12-31T10:30:00+06:00\""), "occurredAt" },
        { "7.9e28 kg", With("quantity", """{"value":79000000000000000000000000000,"unit":"kg"}"""), "quantity.value" },
        { "more than a decimal holds", With("quantity", """{"value":1e40,"unit":"kg"}"""), "quantity.value" },
        { "251 t in kg, above the largest seizure on record", With("quantity", """{"value":251000,"unit":"kg"}"""), "quantity.value" },
        { "200 million tablets", With("quantity", """{"value":200000000,"unit":"tablet"}"""), "quantity.value" },
        { "too many decimals", With("quantity", """{"value":1.0000001,"unit":"kg"}"""), "quantity.value" },
        { "quantity value a string", With("quantity", """{"value":"lots","unit":"kg"}"""), "quantity.value" },
        { "quantity an array", With("quantity", "[1,2]"), "quantity" },
        { "facility a number", With("facilityId", "17"), "facilityId" },
        { "crossBorder a string", With("crossBorder", "\"yes\""), "crossBorder" },
        { "latitude 91", With("location", """{"lat":91,"lon":74}"""), "location.lat" },
        { "longitude a string", With("location", """{"lat":42,"lon":"east"}"""), "location.lon" },
        { "operationId not a UUID", With("operationId", "\"op-1\""), "operationId" },
        { "a 10,000-character substance", With("substance", JsonSerializer.Serialize(new string('x', 10_000))), "substance" },
        { "a null partner", With("distribution", """{"scope":"named-partners","partners":[null]}"""), "distribution.partners" },
        { "51 partners", With("distribution", JsonSerializer.Serialize(new { scope = "named-partners", partners = Enumerable.Repeat("SSDC", 51) })), "distribution.partners" },
        { "malformed JSON", """{"facilityId":"SIZO-1","occurredAt":""", "occurredAt" },
        { "not an object", "[1,2,3]", "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task a_bad_body_is_400_naming_the_field_and_nothing_is_written(string why, string body, string field)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl("/api/seizures");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(400);
        });
        var problem = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        ErrorFields(problem).ShouldContain(field, $"{why}: {problem}");
        (await EventCountAsync()).ShouldBe(0, why);
    }

    [Fact]
    public async Task the_upper_bounds_themselves_are_recorded()
    {
        await RecordAsync(Body(value: 250_000m, unit: "kg", occurredAt: "1991-01-01T00:00:00+06:00"));
        await RecordAsync(Body(value: 0.000001m, unit: "kg"));
        (await EventCountAsync()).ShouldBe(2);
    }

    public static TheoryData<string, string> BadChanges() => new()
    {
        // change, body with a bad field
        { "lab-results", """{"labCaseNumber":"L-1","confirmedSubstance":"heroin","netWeightGrams":1e20,"techniques":[{"name":"GC-MS","category":"A"}],"analyst":"a-1","reportDate":"2015-04-01"}""" },
        { "lab-results", """{"labCaseNumber":"L-1","confirmedSubstance":"heroin","netWeightGrams":1,"techniques":[null],"analyst":"a-1","reportDate":"2015-04-01"}""" },
        { "lab-results", """{"labCaseNumber":"L-1","confirmedSubstance":"heroin","netWeightGrams":1,"techniques":[{"name":"GC-MS","category":"A"}],"analyst":"a-1","reportDate":"0001-04-01"}""" },
        { "destruction", """{"method":"incineration","witnesses":[null],"destroyedAt":"2015-05-01T10:00:00+06:00"}""" },
        { "destruction", $$"""{"method":"incineration","witnesses":{{JsonSerializer.Serialize(Enumerable.Range(0, 51).Select(i => $"w-{i}"))}},"destroyedAt":"2015-05-01T10:00:00+06:00"}""" },
        { "destruction", """{"method":"incineration","witnesses":["w-1"],"destroyedAt":"0001-05-01T10:00:00+06:00"}""" },
        { "corrections", """{"reason":"typo","quantity":{"value":79000000000000000000000000000,"unit":"kg"}}""" },
        { "corrections", """{"reason":"typo","occurredAt":"0001-03-14T10:30:00+06:00"}""" },
        { "custody", """{"from":"a","to":"b","at":"0001-03-14T10:30:00+06:00","reason":"r"}""" },
    };

    [Theory]
    [MemberData(nameof(BadChanges))]
    public async Task a_bad_change_is_400_and_nothing_is_written(string action, string body)
    {
        var recorded = await RecordAsync(Body());
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl($"/api/seizures/{recorded.Id}/{action}");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("If-Match", "\"1\"");
            s.StatusCodeShouldBe(400);
        });
        (await result.ReadAsTextAsync()).ShouldContain("\"errors\"");
        (await EventCountAsync()).ShouldBe(1, body);
    }

    [Theory]
    [InlineData("/api/trends?from=0001&to=8000", "from")]
    [InlineData("/api/trends?from=1991-01&to=9999-12", "to")]
    [InlineData("/api/trends?from=1980", "from")]
    [InlineData("/api/compare?year=0001", "year")]
    [InlineData("/api/compare?year=2015&baseline=99999999999", "baseline")]
    [InlineData("/api/impact?facility=SIZO-1&date=0001-01-01", "date")]
    [InlineData("/api/seizures/00000000-0000-0000-0000-000000000001?asOf=0001-01-01", "asOf")]
    public async Task a_bad_query_parameter_is_400_naming_it(string url, string field)
    {
        var problem = await Host.GetJsonAsync(url, 400);
        ErrorFields(problem).ShouldContain(field, url);
    }

    [Fact]
    public async Task a_trend_over_all_the_data_has_at_most_the_bounded_number_of_periods()
    {
        await RecordAsync(Body(occurredAt: "1991-01-01T10:00:00+06:00"));
        await RecordAsync(Body(occurredAt: "2015-03-14T10:30:00+06:00"));
        await WaitForProjectionsAsync();
        var trend = await Host.GetJsonAsync("/api/trends");
        var periods = trend.GetProperty("series").GetArrayLength();
        periods.ShouldBe((2015 - 1991) * 12 + 3);
        periods.ShouldBeLessThanOrEqualTo(600);
        (await Host.GetJsonAsync("/api/trends?granularity=year")).GetProperty("series").GetArrayLength().ShouldBe(25);
    }

    [Theory]
    [InlineData("substance=CANNABIS-RESIN")]
    [InlineData("substance=Cannabis-Resin")]
    [InlineData("detection=VISITOR-SEARCH")]
    [InlineData("facility=sizo-1")]
    [InlineData("agency=ssep")]
    [InlineData("oblast=kg-c")]
    public async Task codes_in_filters_are_matched_whatever_their_case(string filter)
    {
        await RecordAsync(Body(value: 2m, unit: "kg"));
        await WaitForProjectionsAsync();
        var trend = await Host.GetJsonAsync($"/api/trends?from=2015-03&to=2015-03&{filter}");
        var point = trend.GetProperty("series")[0];
        point.GetProperty("count").GetInt32().ShouldBe(1, filter);
        point.GetProperty("grams").GetDecimal().ShouldBe(2000m, filter);
    }

    [Fact]
    public async Task an_upper_case_code_is_recorded_as_the_code()
    {
        var recorded = await RecordAsync(Body(substance: "CANNABIS-RESIN", unit: "KG", detection: "Visitor-Search", facilityId: "sizo-1"));
        var seizure = await GetJsonAsync($"/api/seizures/{recorded.Id}");
        seizure.GetProperty("substance").GetString().ShouldBe("cannabis-resin");
        seizure.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe("kg");
        (await Host.GetJsonAsync("/api/seizures?substance=CANNABIS-RESIN&facility=SIZO-1")).GetProperty("count").GetInt32().ShouldBe(1);
    }

    [Theory]
    [InlineData("+06:00")]
    [InlineData("-05:00")]
    [InlineData("Z")]
    public async Task as_of_with_any_offset_answers(string offset)
    {
        var recorded = await RecordAsync(Body(value: 3m, unit: "kg"));
        await WaitForProjectionsAsync();
        var at = DateTimeOffset.UtcNow.AddMinutes(1);
        var text = offset == "Z" ? at.ToString("yyyy-MM-ddTHH:mm:ss'Z'")
            : at.ToOffset(TimeSpan.Parse(offset.TrimStart('+'))).ToString("yyyy-MM-ddTHH:mm:ss") + offset;
        var q = Uri.EscapeDataString(text);
        (await Host.GetJsonAsync($"/api/years/2015/summary?asOf={q}")).GetProperty("grams").GetDecimal().ShouldBe(3000m);
        (await Host.GetJsonAsync($"/api/seizures/{recorded.Id}?asOf={q}")).GetProperty("reference").GetString().ShouldBe(recorded.Reference);
        var past = Uri.EscapeDataString(at.AddYears(-1).ToOffset(TimeSpan.FromHours(6)).ToString("yyyy-MM-ddTHH:mm:sszzz"));
        await Host.Scenario(s => { s.Get.Url($"/api/reports/annual/2015?format=csv&asOf={past}"); s.StatusCodeShouldBe(200); });
    }

    [Fact]
    public async Task a_body_over_the_size_limit_is_413_problem_details()
    {
        var body = With("notes", JsonSerializer.Serialize(new string('n', 1_100_000)));
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(body).ToUrl("/api/seizures");
            s.WithRequestHeader("Content-Type", "application/json");
            s.StatusCodeShouldBe(413);
        });
        var problem = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        problem.GetProperty("status").GetInt32().ShouldBe(413);
        (await EventCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task a_client_over_its_rate_is_429_problem_details()
    {
        await using var limited = await Fixture.StartHostAsync(b =>
        {
            b.UseSetting("SeizureIntel:RateLimit:Burst", "5");
            b.UseSetting("SeizureIntel:RateLimit:PermitsPerSecond", "1");
            b.UseSetting("SeizureIntel:RunDaemon", "false");
        });
        // Twenty requests at once: a burst of 5 and 1 more each second cannot serve them all, however slow the machine.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            limited.Scenario(s => { s.Get.Url("/api/reference"); s.IgnoreStatusCode(); })));
        var seconds = clock.Elapsed.TotalSeconds;
        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        foreach (var result in results.Where(r => r.Context.Response.StatusCode == 429))
            JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync()).GetProperty("status").GetInt32().ShouldBe(429);
        statuses.ShouldAllBe(s => s == 200 || s == 429);
        statuses.ShouldContain(429);
        // The burst, plus what the bucket refilled while the requests ran (the test's own sign-in at /connect/token
        // takes from the same bucket, against password and secret guessing): never more.
        statuses.Count(s => s == 200).ShouldBeInRange(1, 5 + (int)Math.Ceiling(seconds), $"{seconds:0.0} s");
        // /health is never limited: an operator's probe still answers.
        await limited.Scenario(s => { s.Get.Url("/health"); s.StatusCodeShouldBe(200); });
    }

    [Fact]
    public void an_unexpected_exception_becomes_500_problem_details_without_its_message()
    {
        var problem = SeizureIntel.Pipeline.RequestFailures.Classify(new InvalidOperationException("secret connection string"));
        problem.Status.ShouldBe(500);
        (problem.Detail + problem.Title).ShouldNotContain("secret");
    }
}
