using System.Text.Json;
using SeizureIntel.Identity;
using SeizureIntel.Privacy;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Privacy;

/// <summary>
/// Personal fields (who recorded, custody persons, witnesses, lab analysts, notes, the history's users and reasons) in
/// every answer, per role, with real tokens from the node: those who handle the evidence see them, everyone else reading
/// seizures gets them masked, and the aggregates (year figures, GeoJSON, the annual report in HTML, CSV, XLSX) never
/// carry them.
/// </summary>
public sealed class PersonalDataTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Officer = "officer-pd-7731";
    private const string Note = "informant-note-5519";
    private const string Keeper = "keeper-pd-4410";
    private const string Witness = "witness-pd-2288";
    private const string LabAnalyst = "chemist-pd-9902";
    private const string Reason = "reason-pd-6613";

    private async Task<(Guid Id, string Reference)> RecordWithPersonsAsync()
    {
        var created = await RecordAsync(Body(notes: Note), Officer);
        var v = created.Version;
        await ChangeAsync(created.Id, "custody", new { from = Officer, to = Keeper, at = "2015-03-14T12:00:00+06:00", sealNumber = "S-1", reason = Reason, place = "store" }, v++, user: Officer);
        await ChangeAsync(created.Id, "lab-submissions", new { lab = "SSDC-LAB", labCaseNumber = "L-1", submittedAt = "2015-03-15T09:00:00+06:00" }, v++, user: Officer);
        await ChangeAsync(created.Id, "lab-results", new
        {
            labCaseNumber = "L-1", confirmedSubstance = "cannabis-resin", netWeightGrams = 1200m, purityPercent = 20m,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = LabAnalyst, reportDate = "2015-03-20",
        }, v++, user: Officer);
        await ChangeAsync(created.Id, "corrections", new { reason = Reason, notes = Note + "-2" }, v++, user: Officer);
        await ChangeAsync(created.Id, "destruction", new { method = "incineration", witnesses = new[] { Witness }, destroyedAt = "2015-06-01T10:00:00+06:00", place = "yard" }, v++, user: Officer);
        return (created.Id, created.Reference);
    }

    private static readonly string[] Persons = [Officer, Note, Keeper, Witness, LabAnalyst, Reason];

    private IEnumerable<string> SeizureAnswers(Guid id, string reference) =>
    [
        $"/api/seizures/{id}",
        $"/api/seizures/{id}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}",
        $"/api/seizures/{id}/history",
        $"/api/seizures/by-reference/{reference}",
        "/api/seizures?year=2015",
    ];

    [Theory]
    [InlineData(Roles.Analyst)]
    [InlineData(Roles.Operations)]
    public async Task roles_without_need_to_know_get_every_personal_field_masked(string role)
    {
        var (id, reference) = await RecordWithPersonsAsync();
        foreach (var url in SeizureAnswers(id, reference))
        {
            var (status, body) = await Host.GetAsRoleAsync(role, url);
            status.ShouldBe(200, url);
            foreach (var person in Persons) body.ShouldNotContain(person, Case.Sensitive, $"{role} {url}");
        }

        var seizure = JsonSerializer.Deserialize<JsonElement>((await Host.GetAsRoleAsync(role, $"/api/seizures/{id}")).Body);
        seizure.GetProperty("recordedBy").GetString().ShouldBe(PersonalData.Masked);
        seizure.GetProperty("notes").GetString().ShouldBe(PersonalData.Masked);
        seizure.GetProperty("custody").EnumerateArray().Select(c => c.GetProperty("custodian").GetString()).ShouldAllBe(c => c == PersonalData.Masked);
        seizure.GetProperty("labResults")[0].GetProperty("analyst").GetString().ShouldBe(PersonalData.Masked);
        // What is not personal stays: the lab's figures, the facility, the substance.
        seizure.GetProperty("labResults")[0].GetProperty("netWeightGrams").GetDecimal().ShouldBe(1200m);
        seizure.GetProperty("facilityId").GetString().ShouldBe("SIZO-1");

        var history = JsonSerializer.Deserialize<JsonElement>((await Host.GetAsRoleAsync(role, $"/api/seizures/{id}/history")).Body);
        var events = history.GetProperty("events").EnumerateArray().ToList();
        events.Count.ShouldBe(6);
        events.ShouldAllBe(e => e.GetProperty("user").GetString() == PersonalData.Masked);
        var destroyed = events.Single(e => e.GetProperty("event").GetString() == "evidence_destroyed");
        destroyed.GetProperty("data").GetProperty("witnesses").EnumerateArray().Single().GetString().ShouldBe(PersonalData.Masked);
        var corrected = events.Single(e => e.GetProperty("event").GetString() == "seizure_corrected");
        corrected.GetProperty("reason").GetString().ShouldBe(PersonalData.Masked);
        corrected.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("field").GetString() == "notes")
            .GetProperty("to").GetString().ShouldBe(PersonalData.Masked);
    }

    [Theory]
    [InlineData(Roles.Officer)]
    [InlineData(Roles.Custodian)]
    [InlineData(Roles.Lab)]
    [InlineData(Roles.Supervisor)]
    public async Task roles_that_handle_the_evidence_see_the_persons(string role)
    {
        var (id, reference) = await RecordWithPersonsAsync();
        var seizure = (await Host.GetAsRoleAsync(role, $"/api/seizures/{id}")).Body;
        foreach (var person in new[] { Officer, Keeper, LabAnalyst, Note + "-2" }) seizure.ShouldContain(person);
        var history = (await Host.GetAsRoleAsync(role, $"/api/seizures/{id}/history")).Body;
        foreach (var person in Persons) history.ShouldContain(person);
        (await Host.GetAsRoleAsync(role, $"/api/seizures/by-reference/{reference}")).Body.ShouldContain(Officer);
    }

    [Theory]
    [InlineData(Roles.Analyst)]
    [InlineData(Roles.WorkingGroup)]
    public async Task aggregates_and_exports_carry_no_personal_field(string role)
    {
        await RecordWithPersonsAsync();
        await WaitForProjectionsAsync();
        var urls = role == Roles.Analyst
            ? new[] { "/api/years/2015/summary", "/api/seizures/within?oblast=KG-C", "/api/seizures/near?lat=42.87&lon=74.59&radiusKm=500",
                "/api/trends", "/api/reports/annual/2015?format=csv", "/api/reports/annual/2015?format=html", "/api/reports/annual/2015?format=json" }
            : new[] { "/api/years/2015/summary", "/api/reports/annual/2015?format=csv", "/api/reports/annual/2015?format=html",
                "/api/reports/annual/2015?format=xlsx", "/api/reports/annual/2015?format=json&national=KGZ" };
        foreach (var url in urls)
        {
            var (status, body) = await Host.GetAsRoleAsync(role, url);
            status.ShouldBe(200, url);
            foreach (var person in Persons) body.ShouldNotContain(person, Case.Sensitive, url);
        }
    }

    [Fact]
    public void the_fields_that_are_personal_are_named_in_one_place()
    {
        PersonalData.IsPersonal(typeof(SeizureIntel.Seizures.SeizureView), "RecordedBy").ShouldBeTrue();
        PersonalData.IsPersonal(typeof(SeizureIntel.Seizures.LabResult), "Analyst").ShouldBeTrue();
        PersonalData.IsPersonal(typeof(SeizureIntel.Seizures.Destruction.EvidenceDestroyed), "Witnesses").ShouldBeTrue();
        PersonalData.IsPersonal(typeof(SeizureIntel.Seizures.SeizureView), "Substance").ShouldBeFalse();
    }
}
