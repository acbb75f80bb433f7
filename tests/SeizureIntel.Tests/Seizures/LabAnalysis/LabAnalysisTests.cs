using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.LabAnalysis;

public sealed class LabAnalysisTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static object Submission(string caseNumber = "SFC-2015-0042") =>
        new { lab = "State Forensics Centre", labCaseNumber = caseNumber, submittedAt = "2015-03-16T09:00:00+06:00" };

    private static object Result(decimal net, string substance = "heroin", string? caseNumber = null, string category = "A") => new
    {
        labCaseNumber = caseNumber,
        confirmedSubstance = substance,
        netWeightGrams = net,
        purityPercent = 37.5m,
        techniques = new[] { new { name = "GC-MS", category }, new { name = "colour test (Marquis)", category = "C" } },
        analyst = "analyst-5",
        reportDate = "2015-04-01",
    };

    [Fact]
    public async Task a_lab_result_for_evidence_never_submitted_is_refused_and_nothing_is_written()
    {
        var a = await RecordAsync(Body());
        var events = await EventCountAsync();
        ErrorFields(await ChangeAsync(a.Id, "lab-results", Result(10m), 1, 409)).ShouldBe(["seizure"]);
        (await EventCountAsync()).ShouldBe(events);
    }

    [Fact]
    public async Task bad_lab_reports_name_their_fields()
    {
        var a = await RecordAsync(Body());
        await ChangeAsync(a.Id, "lab-submissions", Submission(), 1);
        ErrorFields(await ChangeAsync(a.Id, "lab-results", Result(10m, category: "D"), 2, 400)).ShouldBe(["techniques[0].category"]);
        ErrorFields(await ChangeAsync(a.Id, "lab-results", Result(-1m), 2, 400)).ShouldBe(["netWeightGrams"]);
        ErrorFields(await ChangeAsync(a.Id, "lab-results", Result(1m, substance: "dust"), 2, 400)).ShouldBe(["confirmedSubstance"]);
        ErrorFields(await ChangeAsync(a.Id, "lab-results", Result(1m, caseNumber: "SFC-other"), 2, 409)).ShouldBe(["labCaseNumber"]);
        ErrorFields(await ChangeAsync(a.Id, "lab-submissions", Submission(), 2, 409)).ShouldBe(["labCaseNumber"]);
        (await EventCountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task the_lab_net_weight_and_substance_replace_the_field_figures_in_every_total_and_the_share_confirmed_is_reported()
    {
        // Field: 1.25 kg of cannabis resin; lab: 1,180.4 g net of heroin. Another seizure stays unconfirmed at 300 g.
        var a = await RecordAsync(Body(value: 1.25m, unit: "kg", substance: "cannabis-resin"));
        await RecordAsync(Body(value: 300m, unit: "g", substance: "cannabis-herb"));
        await ChangeAsync(a.Id, "lab-submissions", Submission(), 1);
        await ChangeAsync(a.Id, "lab-results", Result(1180.4m), 2);
        await WaitForProjectionsAsync();

        var year = await GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("grams").GetDecimal().ShouldBe(1480.4m);
        year.GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(1180.4m);
        year.GetProperty("labConfirmedPercent").GetDecimal().ShouldBe(Math.Round(1180.4m / 1480.4m * 100m, 1));
        var substances = year.GetProperty("bySubstance").EnumerateArray().ToDictionary(r => r.GetProperty("substance").GetString()!, r => r.GetProperty("grams").GetDecimal());
        substances.ShouldBe(new Dictionary<string, decimal> { ["heroin"] = 1180.4m, ["cannabis-herb"] = 300m }, ignoreOrder: true);
        year.GetProperty("byGroup").EnumerateArray().Single(r => r.GetProperty("group").GetString() == "opioids")
            .GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(1180.4m);
        (await GetJsonAsync("/api/facilities/SIZO-1/summary")).GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(1180.4m);

        var seizure = await GetJsonAsync($"/api/seizures/{a.Id}");
        seizure.GetProperty("bestGrams").GetDecimal().ShouldBe(1180.4m);
        seizure.GetProperty("grams").GetDecimal().ShouldBe(1250m); // the field figure stays on record
        seizure.GetProperty("labConfirmed").GetBoolean().ShouldBeTrue();
        seizure.GetProperty("labResults")[0].GetProperty("techniques")[0].GetProperty("category").GetString().ShouldBe("A");
    }
}
