using System.Text.Json;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Effort;

/// <summary>Search effort as events (POST /api/effort, corrections, voids, bulk import) and finds per 1,000 screenings.</summary>
public sealed class EffortTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(Guid Id, long Version)> EffortAsync(object body, int status = 201)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/effort");
            s.WithRequestHeader("X-User", "officer-1");
            s.StatusCodeShouldBe(status);
        });
        var json = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
        return status == 201 ? (json.GetProperty("id").GetGuid(), json.GetProperty("version").GetInt64()) : (Guid.Empty, 0);
    }

    private async Task<JsonElement> PostAsync(string url, object body, long? version, int status)
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader("X-User", "officer-1");
            if (version is not null) s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.StatusCodeShouldBe(status);
        });
        var text = await result.ReadAsTextAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    private static JsonElement Kind(JsonElement period, string kind) =>
        period.GetProperty("kinds").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == kind);

    private static decimal? Rate(decimal finds, decimal? amount) => amount is > 0 ? Math.Round(finds * 1000m / amount.Value, 4) : null;

    private static decimal? Dec(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDecimal();

    [Fact]
    public async Task rates_divide_finds_of_the_matching_method_by_the_effort_of_the_months_that_have_it()
    {
        // Effort at SIZO-1: parcels X-rayed in January (two daily entries) and March 2015, none in February; visitors
        // searched by month in all three; cell searches recorded in January then voided. One March entry is corrected.
        await EffortAsync(new { facilityId = "SIZO-1", kind = "parcels-xrayed", date = "2015-01-05", amount = 700 });
        await EffortAsync(new { facilityId = "SIZO-1", kind = "parcels-xrayed", date = "2015-01-20", amount = 500 });
        var march = await EffortAsync(new { facilityId = "SIZO-1", kind = "parcels-xrayed", month = "2015-03", amount = 999 });
        await PostAsync($"/api/effort/{march.Id}/corrections", new { reason = "typo", amount = 1600 }, march.Version, 200);
        foreach (var (month, amount) in new[] { ("2015-01", 300m), ("2015-02", 250m), ("2015-03", 400m) })
            await EffortAsync(new { facilityId = "SIZO-1", kind = "visitors-searched", month, amount });
        var cells = await EffortAsync(new { facilityId = "SIZO-1", kind = "cell-searches", month = "2015-01", amount = 90 });
        await PostAsync($"/api/effort/{cells.Id}/void", new { reason = "entered for the wrong facility" }, cells.Version, 200);
        // Effort elsewhere does not count here.
        await EffortAsync(new { facilityId = "IK-47", kind = "parcels-xrayed", month = "2015-01", amount = 5000 });

        // Finds: (month, detection, grams)
        var finds = new[]
        {
            ("2015-01-10T10:00:00+06:00", "xray-parcel", 12.5m), ("2015-01-25T10:00:00+06:00", "xray-parcel", 3m),
            ("2015-01-26T10:00:00+06:00", "visitor-search", 40m), ("2015-02-03T10:00:00+06:00", "xray-parcel", 100m),
            ("2015-02-04T10:00:00+06:00", "visitor-search", 7m), ("2015-03-01T10:00:00+06:00", "xray-parcel", 0.5m),
            ("2015-03-02T10:00:00+06:00", "xray-parcel", 1.25m), ("2015-03-03T10:00:00+06:00", "xray-parcel", 2m),
            ("2015-03-09T10:00:00+06:00", "cell-search", 50m),
        };
        foreach (var (at, detection, grams) in finds)
            await RecordAsync(Body(occurredAt: at, detection: detection, value: grams, unit: "g"));
        await RecordAsync(Body(facilityId: "IK-47", occurredAt: "2015-01-10T10:00:00+06:00", detection: "xray-parcel", value: 9m, unit: "g"));
        await WaitForProjectionsAsync();

        var rates = await GetJsonAsync("/api/facilities/SIZO-1/rates?from=2015-01&to=2015-03&granularity=month");
        var periods = rates.GetProperty("periods").EnumerateArray().ToList();
        periods.Select(p => p.GetProperty("period").GetString()).ShouldBe(["2015-01", "2015-02", "2015-03"]);

        // Computed here from the inputs above.
        decimal?[] xrayEffort = [1200m, null, 1600m];
        decimal[] visitorEffort = [300m, 250m, 400m];
        for (var m = 0; m < 3; m++)
        {
            var month = $"2015-0{m + 1}";
            var inMonth = finds.Where(f => f.Item1.StartsWith(month)).ToList();
            periods[m].GetProperty("finds").GetInt32().ShouldBe(inMonth.Count);
            periods[m].GetProperty("grams").GetDecimal().ShouldBe(inMonth.Sum(f => f.Item3));

            var xray = Kind(periods[m], "parcels-xrayed");
            Dec(xray.GetProperty("amount")).ShouldBe(xrayEffort[m]);
            var xrayFinds = xrayEffort[m] is null ? [] : inMonth.Where(f => f.Item2 == "xray-parcel").ToList();
            xray.GetProperty("finds").GetInt32().ShouldBe(xrayFinds.Count);
            Dec(xray.GetProperty("findsPer1000")).ShouldBe(Rate(xrayFinds.Count, xrayEffort[m]));
            Dec(xray.GetProperty("gramsPer1000")).ShouldBe(Rate(xrayFinds.Sum(f => f.Item3), xrayEffort[m]));
            Dec(xray.GetProperty("allFindsPer1000")).ShouldBe(xrayEffort[m] is null ? null : Rate(inMonth.Count, xrayEffort[m]));
            xray.GetProperty("missingMonths").EnumerateArray().Select(x => x.GetString()).ShouldBe(xrayEffort[m] is null ? [month] : []);

            var visitors = Kind(periods[m], "visitors-searched");
            var visitorFinds = inMonth.Where(f => f.Item2 == "visitor-search").ToList();
            Dec(visitors.GetProperty("findsPer1000")).ShouldBe(Rate(visitorFinds.Count, visitorEffort[m]));
            Dec(visitors.GetProperty("gramsPer1000")).ShouldBe(Rate(visitorFinds.Sum(f => f.Item3), visitorEffort[m]));

            var cell = Kind(periods[m], "cell-searches");
            cell.GetProperty("amount").ValueKind.ShouldBe(JsonValueKind.Null); // the only entry was voided
            cell.GetProperty("findsPer1000").ValueKind.ShouldBe(JsonValueKind.Null);
        }

        // The whole range: X-ray rates use January and March only; February's 100 g X-ray find is left out, and said so.
        var total = rates.GetProperty("total").EnumerateArray().Single(k => k.GetProperty("kind").GetString() == "parcels-xrayed");
        var counted = finds.Where(f => f.Item2 == "xray-parcel" && !f.Item1.StartsWith("2015-02")).ToList();
        total.GetProperty("amount").GetDecimal().ShouldBe(2800m);
        total.GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(counted.Count, 2800m)!.Value);
        total.GetProperty("gramsPer1000").GetDecimal().ShouldBe(Rate(counted.Sum(f => f.Item3), 2800m)!.Value);
        total.GetProperty("missingMonths").EnumerateArray().Select(x => x.GetString()).ShouldBe(["2015-02"]);
        var warnings = rates.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        warnings.ShouldContain(w => w.StartsWith("Parcels X-rayed: effort missing for 1 of 3 months (2015-02)"));
        warnings.ShouldContain(w => w.StartsWith("No cell searches recorded"));

        // By quarter: one period with the same figures as the whole range.
        var quarter = await GetJsonAsync("/api/facilities/SIZO-1/rates?from=2015-01&to=2015-03&granularity=quarter");
        var q1 = quarter.GetProperty("periods").EnumerateArray().Single();
        q1.GetProperty("period").GetString().ShouldBe("2015-Q1");
        Kind(q1, "parcels-xrayed").GetProperty("findsPer1000").GetDecimal().ShouldBe(Rate(counted.Count, 2800m)!.Value);
    }

    [Fact]
    public async Task bad_effort_is_refused_naming_each_field_and_nothing_is_written()
    {
        var before = await EventCountAsync();
        var problem = await PostAsync("/api/effort", new { facilityId = "SIZO-99", kind = "kites", date = "2015-01-01", month = "2015-01", amount = -1 }, null, 400);
        ErrorFields(problem).ShouldBe(["amount", "date", "facilityId", "kind"]);
        problem = await PostAsync("/api/effort", new { facilityId = "SIZO-1", kind = "parcels-xrayed", month = "2099-01", amount = 1.5 }, null, 400);
        ErrorFields(problem).ShouldBe(["amount", "month"]);
        problem = await PostAsync("/api/effort/import", new { entries = new object[]
        {
            new { facilityId = "SIZO-1", kind = "dog-team-hours", month = "2015-01", amount = 12.5 },
            new { facilityId = "SIZO-1", kind = "nope", month = "2015-01", amount = 3 },
        } }, null, 400);
        ErrorFields(problem).ShouldBe(["entries[1].kind"]);
        (await EventCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task effort_is_corrected_through_the_change_pipeline()
    {
        var (id, version) = await EffortAsync(new { facilityId = "SIZO-1", kind = "visitors-searched", month = "2015-01", amount = 300 });
        await PostAsync($"/api/effort/{id}/corrections", new { reason = "recount", amount = 320 }, null, 428);
        await PostAsync($"/api/effort/{id}/corrections", new { reason = "recount", amount = 320 }, 7, 412);
        await PostAsync($"/api/effort/{Guid.NewGuid()}/corrections", new { reason = "recount", amount = 320 }, 1, 404);
        ErrorFields(await PostAsync($"/api/effort/{id}/corrections", new { amount = 320 }, version, 400)).ShouldBe(["reason"]);
        ErrorFields(await PostAsync($"/api/effort/{id}/corrections", new { reason = "x", kind = "kites" }, version, 400)).ShouldBe(["kind"]);
        await PostAsync($"/api/effort/{id}/corrections", new { reason = "same", amount = 300 }, version, 409);
        var changed = await PostAsync($"/api/effort/{id}/corrections", new { reason = "recount", amount = 320, date = "2015-01-31" }, version, 200);
        changed.GetProperty("version").GetInt64().ShouldBe(2);

        var entry = await GetJsonAsync($"/api/effort/{id}");
        entry.GetProperty("amount").GetDecimal().ShouldBe(320m);
        entry.GetProperty("period").GetString().ShouldBe("day");
        entry.GetProperty("from").GetString().ShouldBe("2015-01-31");
        await PostAsync($"/api/effort/{id}/void", new { reason = "double entry" }, 2, 200);
        await PostAsync($"/api/effort/{id}/corrections", new { reason = "recount", amount = 1 }, 3, 409);
        (await GetJsonAsync("/api/effort?facility=SIZO-1&from=2015")).GetProperty("entries").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task a_month_of_effort_is_imported_in_bulk()
    {
        var entries = Enumerable.Range(1, 28).Select(d => new { facilityId = "SIZO-1", kind = "parcels-xrayed", date = $"2015-02-{d:D2}", amount = d * 10 })
            .ToList();
        var result = await PostAsync("/api/effort/import", new { entries }, null, 201);
        result.GetProperty("ids").GetArrayLength().ShouldBe(28);
        var rates = await GetJsonAsync("/api/facilities/SIZO-1/rates?from=2015-02&to=2015-02");
        Kind(rates.GetProperty("periods")[0], "parcels-xrayed").GetProperty("amount").GetDecimal().ShouldBe(entries.Sum(e => e.amount));
    }
}
