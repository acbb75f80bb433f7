using System.Text.Json;
using SeizureIntel.Intelligence.Interventions;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Interventions;

/// <summary>The intervention register and the controlled before/after answer over seizures recorded through the API.</summary>
public sealed class InterventionTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<JsonElement> PostAsync(string url, object body, int status)
    {
        var result = await Host.Scenario(s => { s.Post.Json(body).ToUrl(url); s.WithRequestHeader("X-User", "analyst-1"); s.StatusCodeShouldBe(status); });
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    private async Task<Guid> RegisterAsync(object body) => (await PostAsync("/api/interventions", body, 201)).GetProperty("id").GetGuid();

    private static Estimate EstimateOf(JsonElement model, string name)
    {
        var e = model.GetProperty("estimates").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        return new Estimate(name, e.GetProperty("value").GetDouble(), e.GetProperty("standardError").GetDouble(), e.GetProperty("lower").GetDouble(),
            e.GetProperty("upper").GetDouble(), e.GetProperty("pValue").GetDouble());
    }

    [Fact]
    public async Task interventions_are_registered_listed_and_refused_naming_each_bad_field()
    {
        var problem = await PostAsync("/api/interventions", new { kind = "magic", facilities = new[] { "SIZO-1", "NOPE" }, startedOn = "2016-13-01" }, 400);
        ErrorFields(problem).ShouldBe(["description", "facilities[1]", "kind", "startedOn"]);

        var scanner = await RegisterAsync(new
        {
            kind = "xray-scanner", facilities = new[] { "SIZO-1" }, startedOn = "2016-04-01",
            description = "X-ray scanner for parcels at the reception", coInterventions = new[] { "special inspection group, same day" },
        });
        await RegisterAsync(new { kind = "dog-team", facilities = new[] { "IK-47" }, startedOn = "2015-06-15", description = "A dog team" });

        var one = await GetJsonAsync($"/api/interventions/{scanner}");
        one.GetProperty("kind").GetString().ShouldBe("xray-scanner");
        one.GetProperty("startedOn").GetString().ShouldBe("2016-04-01");
        one.GetProperty("facilities").EnumerateArray().Select(f => f.GetString()).ShouldBe(["SIZO-1"]);
        one.GetProperty("coInterventions").EnumerateArray().Single().GetString().ShouldBe("special inspection group, same day");
        (await GetJsonAsync("/api/interventions")).GetProperty("interventions").EnumerateArray()
            .Select(i => i.GetProperty("kind").GetString()).ShouldBe(["dog-team", "xray-scanner"]);
        (await GetJsonAsync("/api/interventions?facility=SIZO-1")).GetProperty("interventions").GetArrayLength().ShouldBe(1);
        await Host.Scenario(s => { s.Get.Url($"/api/interventions/{Guid.NewGuid()}"); s.StatusCodeShouldBe(404); });
        await Host.Scenario(s => { s.Get.Url($"/api/interventions/{Guid.NewGuid()}/effect"); s.StatusCodeShouldBe(404); });
        ErrorFields(await Host.GetJsonAsync($"/api/interventions/{scanner}/effect?measure=weight&months=0&controls=SIZO-1,NOPE", 400))
            .ShouldBe(["controls", "measure", "months"]);
    }

    [Fact]
    public async Task the_effect_matches_a_segmented_regression_computed_here_with_and_against_controls()
    {
        // 2014-01 … 2015-12 (24 months), a scanner at SIZO-1 from 2015-01-01. Counts per month generated with a known
        // level change of +3 at SIZO-1 on top of a wobble; the controls SIZO-3 and SIZO-4 share the wobble, not the change.
        var random = new Random(5);
        var treated = new int[24];
        var controls = new int[2, 24];
        for (var i = 0; i < 24; i++)
        {
            var common = random.Next(0, 3);
            treated[i] = 1 + common + random.Next(0, 2) + (i >= 12 ? 3 : 0);
            controls[0, i] = 1 + common + random.Next(0, 2);
            controls[1, i] = common + random.Next(0, 2);
        }
        async Task Record(string facility, int month, int count)
        {
            for (var k = 0; k < count; k++)
                await RecordAsync(Body(facilityId: facility, occurredAt: $"{2014 + month / 12}-{month % 12 + 1:D2}-{k + 2:D2}T10:00:00+06:00",
                    detection: "xray-parcel", value: 1m + k, unit: "g"));
        }
        for (var i = 0; i < 24; i++)
        {
            await Record("SIZO-1", i, treated[i]);
            await Record("SIZO-3", i, controls[0, i]);
            await Record("SIZO-4", i, controls[1, i]);
        }
        // Parcels X-rayed at SIZO-1 doubled at the same time as the scanner.
        for (var i = 6; i < 18; i++)
            await PostAsync("/api/effort", new { facilityId = "SIZO-1", kind = "parcels-xrayed", month = $"{2014 + i / 12}-{i % 12 + 1:D2}", amount = i < 12 ? 1000 : 2000 }, 201);
        await WaitForProjectionsAsync();

        var scanner = await RegisterAsync(new
        {
            kind = "xray-scanner", facilities = new[] { "SIZO-1" }, startedOn = "2015-01-01", description = "X-ray scanner",
            coInterventions = new[] { "special inspection group" },
        });
        await RegisterAsync(new { kind = "special-inspection-group", facilities = new[] { "SIZO-1" }, startedOn = "2015-01-01", description = "Inspection group" });
        await RegisterAsync(new { kind = "other", facilities = new[] { "SIZO-5" }, startedOn = "2014-09-01", description = "New fence" });

        var effect = await GetJsonAsync($"/api/interventions/{scanner}/effect?months=12");
        effect.GetProperty("before").GetProperty("points").GetInt32().ShouldBe(12);
        effect.GetProperty("after").GetProperty("points").GetInt32().ShouldBe(12);
        effect.GetProperty("excludedMonth").ValueKind.ShouldBe(JsonValueKind.Null); // started on the 1st: its month is the first after
        effect.GetProperty("controls").EnumerateArray().Select(c => c.GetProperty("facility").GetString()).ShouldBe(["SIZO-3", "SIZO-4"]);
        var notUsed = effect.GetProperty("controlsNotUsed").EnumerateArray().ToDictionary(c => c.GetProperty("facility").GetString()!, c => c.GetProperty("reason").GetString()!);
        notUsed["SIZO-5"].ShouldStartWith("has its own intervention in the window");
        notUsed["SIZO-50"].ShouldBe("no finds in the window");
        notUsed.ShouldNotContainKey("IK-47"); // another type of facility is not a candidate

        // The test's own fit: 24 months, lag floor(4·(24/100)^(2/9)); no month-of-year dummies: with exactly two years
        // split in the middle they are collinear with the trend and the level change, and the answer says so.
        var t = Enumerable.Range(0, 24).Select(i => (double)i).ToList();
        var after = t.Select(x => x >= 12).ToList();
        var lag = (int)Math.Floor(4 * Math.Pow(0.24, 2.0 / 9.0));
        var design = IndependentOls.Design(t, after, 12, null);
        var (beta, se, _) = IndependentOls.Fit(design, treated.Select(v => (double)v).ToArray(), lag);
        var single = effect.GetProperty("single");
        single.GetProperty("neweyWestLag").GetInt32().ShouldBe(lag);
        single.GetProperty("seasonal").GetBoolean().ShouldBeFalse();
        EstimateOf(single, SegmentedRegression.Level).Value.ShouldBe(beta[2], 1e-5);
        EstimateOf(single, SegmentedRegression.Level).StandardError.ShouldBe(se[2], 1e-5);
        EstimateOf(single, SegmentedRegression.Slope).Value.ShouldBe(beta[3], 1e-5);

        var difference = Enumerable.Range(0, 24).Select(i => treated[i] - (controls[0, i] + controls[1, i]) / 2.0).ToArray();
        var (dBeta, dSe, _) = IndependentOls.Fit(design, difference, lag);
        var comparative = effect.GetProperty("comparative");
        var level = EstimateOf(comparative, SegmentedRegression.Level);
        level.Value.ShouldBe(dBeta[2], 1e-5);
        level.StandardError.ShouldBe(dSe[2], 1e-5);
        EstimateOf(comparative, SegmentedRegression.Slope).Value.ShouldBe(dBeta[3], 1e-5);

        var series = effect.GetProperty("series").EnumerateArray().ToList();
        series.Count.ShouldBe(24);
        series[0].GetProperty("period").GetString().ShouldBe("2014-01");
        series.Select(p => p.GetProperty("treated").GetDouble()).ShouldBe(treated.Select(v => (double)v));
        series.Select(p => p.GetProperty("control").GetDouble()).ShouldBe(Enumerable.Range(0, 24).Select(i => (controls[0, i] + controls[1, i]) / 2.0));
        for (var i = 0; i < 24; i++)
        {
            var fitted = design[i].Select((x, j) => x * beta[j]).Sum();
            series[i].GetProperty("fitted").GetDouble().ShouldBe(fitted, 1e-5);
            series[i].GetProperty("counterfactual").GetDouble().ShouldBe(fitted - (after[i] ? beta[2] + beta[3] * (t[i] - 12) : 0), 1e-5);
        }

        var warnings = effect.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        warnings.ShouldContain(w => w.StartsWith("Introduced at the same time: special inspection group."));
        warnings.ShouldContain(w => w.StartsWith("Another registered intervention at the same facility started within a month: special-inspection-group"));
        warnings.ShouldContain(w => w.StartsWith("Parcels X-rayed changed at the same time: 1000 a month in the 6 months before, 2000 after (+100.0 %)"));
        warnings.ShouldNotContain(w => w.StartsWith("Fewer than 12 points"));
        warnings.ShouldContain(w => w.StartsWith("Month-of-year adjustment is not identifiable with this window"));

        // 24 months a side (2013-01 … 2016-12): nothing recorded outside 2014–2015 counts as zero finds, and now the
        // month-of-year dummies are identifiable; the estimates again match the test's own computation.
        var wide = await GetJsonAsync($"/api/interventions/{scanner}/effect");
        var t48 = Enumerable.Range(0, 48).Select(i => (double)i).ToList();
        var after48 = t48.Select(x => x >= 24).ToList();
        var treated48 = Enumerable.Range(0, 48).Select(i => i is >= 12 and < 36 ? treated[i - 12] : 0.0).ToArray();
        var (wBeta, wSe, _) = IndependentOls.Fit(IndependentOls.Design(t48, after48, 24, t48.Select(x => (int)x % 12 + 1).ToList()), treated48,
            (int)Math.Floor(4 * Math.Pow(0.48, 2.0 / 9.0)));
        wide.GetProperty("single").GetProperty("seasonal").GetBoolean().ShouldBeTrue();
        EstimateOf(wide.GetProperty("single"), SegmentedRegression.Level).Value.ShouldBe(wBeta[2], 1e-5);
        EstimateOf(wide.GetProperty("single"), SegmentedRegression.Level).StandardError.ShouldBe(wSe[2], 1e-5);

        // Six months a side: too few points; no seasonality; and the rate has months without effort.
        var shortWindow = await GetJsonAsync($"/api/interventions/{scanner}/effect?months=6&controls=none");
        var shortWarnings = shortWindow.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        shortWarnings.ShouldContain(w => w.StartsWith("Fewer than 12 points on a side (6 before, 6 after)"));
        shortWarnings.ShouldContain(w => w.StartsWith("No controls asked for"));
        shortWindow.GetProperty("comparative").ValueKind.ShouldBe(JsonValueKind.Null);

        var rate = await GetJsonAsync($"/api/interventions/{scanner}/effect?months=12&measure=rate");
        rate.GetProperty("effortKind").GetString().ShouldBe("parcels-xrayed");
        rate.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!)
            .ShouldContain(w => w.StartsWith("Missing months (no parcels x-rayed recorded, left out of the fit): 2014-01, 2014-02"));
        var ratePoints = rate.GetProperty("series").EnumerateArray().ToList();
        ratePoints.Count.ShouldBe(12);
        ratePoints[0].GetProperty("treated").GetDouble().ShouldBe(Math.Round(treated[6] * 1000.0 / 1000, 6));
        ratePoints[6].GetProperty("treated").GetDouble().ShouldBe(Math.Round(treated[12] * 1000.0 / 2000, 6));
    }
}
