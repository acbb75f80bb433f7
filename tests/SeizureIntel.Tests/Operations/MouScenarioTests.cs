using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

/// <summary>
/// The founding case: SSEP and SSDC, under their MOU, run a joint operation at SIZO-1 (facility No. 21, Bishkek). The
/// year figures are checked against numbers this test computes itself from its raw inputs: masses by unit (see
/// <see cref="RawSeizure"/>), a lab's net weight where there is one, years by UTC+6.
/// </summary>
public sealed class MouScenarioTests(NodeFixture fixture) : OperationTest(fixture)
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text);

    /// <summary>One seizure as the test knows it; its fate is set as the scenario runs.</summary>
    private sealed class Input(string agency, RawSeizure raw)
    {
        public string Agency { get; } = agency;
        public RawSeizure Raw { get; } = raw;
        public Guid Id { get; set; }
        public decimal? LabGrams { get; set; }
        public bool Voided { get; set; }
        public bool Duplicate { get; set; }
        public decimal Grams => LabGrams ?? Raw.Grams ?? 0m;
        public bool Counts => !Voided && !Duplicate;
    }

    /// <summary>One operation as the test knows it: lead, launch instant, what is linked at the end, arrests and cases.</summary>
    private sealed class Op(string lead, DateTimeOffset? launchedAt)
    {
        public string Lead { get; } = lead;
        public DateTimeOffset? LaunchedAt { get; } = launchedAt;
        public Guid Id { get; set; }
        public long Version { get; set; }
        public bool Cancelled { get; set; }
        public HashSet<Input> Linked { get; } = [];
        public List<int> Arrests { get; } = [];
        public List<string> Cases { get; } = [];

        // Kyrgyzstan keeps UTC+6 all year: the local year of the launch is that of the UTC instant plus six hours.
        public int? Year => LaunchedAt is { } at && !Cancelled ? at.UtcDateTime.AddHours(6).Year : null;
    }

    private sealed record Expected(int Count, int Seizures, decimal Grams, int Arrests, int Cases, Dictionary<string, (int Count, int Seizures, decimal Grams, int Arrests, int Cases)> ByLead);

    private static Expected Expect(IEnumerable<Op> all, int year)
    {
        var ops = all.Where(o => o.Year == year).ToList();
        (int, decimal, int, int) Sum(List<Op> group)
        {
            var seizures = group.SelectMany(o => o.Linked).Distinct().Where(s => s.Counts).ToList();
            return (seizures.Count, seizures.Sum(s => s.Grams), group.Sum(o => o.Arrests.Sum()), group.SelectMany(o => o.Cases).Distinct().Count());
        }
        var (count, grams, arrests, cases) = Sum(ops);
        return new Expected(ops.Count, count, grams, arrests, cases, ops.GroupBy(o => o.Lead).ToDictionary(g => g.Key, g =>
        {
            var (s, gr, a, c) = Sum(g.ToList());
            return (g.Count(), s, gr, a, c);
        }));
    }

    private static void ShouldMatch(JsonElement actual, Expected expected, string because)
    {
        actual.GetProperty("count").GetInt32().ShouldBe(expected.Count, because);
        actual.GetProperty("seizures").GetInt32().ShouldBe(expected.Seizures, because);
        actual.GetProperty("grams").GetDecimal().ShouldBe(expected.Grams, because);
        actual.GetProperty("arrests").GetInt32().ShouldBe(expected.Arrests, because);
        actual.GetProperty("cases").GetInt32().ShouldBe(expected.Cases, because);
        var rows = actual.GetProperty("byLeadAgency").EnumerateArray().ToDictionary(r => r.GetProperty("agency").GetString()!, r => (
            r.GetProperty("count").GetInt32(), r.GetProperty("seizures").GetInt32(), r.GetProperty("grams").GetDecimal(),
            r.GetProperty("arrests").GetInt32(), r.GetProperty("cases").GetInt32()));
        rows.Keys.Order().ShouldBe(expected.ByLead.Keys.Order(), because);
        foreach (var (lead, row) in expected.ByLead) rows[lead].ShouldBe(row, $"{because}: {lead}");
    }

    private int _partnerNumber;

    private async Task RecordAsync(Input input, Op? joint = null)
    {
        if (input.Agency == "SSEP")
        {
            var body = joint is null
                ? input.Raw.Body
                : new
                {
                    facilityId = input.Raw.Facility, occurredAt = input.Raw.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssK"), substance = input.Raw.Substance,
                    quantity = new { value = input.Raw.Value, unit = input.Raw.Unit }, detection = "joint-operation", operationId = joint.Id,
                };
            input.Id = (await RecordAsync(body, "ssep-officer-4")).Id;
            if (joint is null) return;
            joint.Linked.Add(input);
            joint.Version++;
        }
        else input.Id = await AppendSeizureOfAsync(input.Agency, $"{input.Agency}-{input.Raw.Year}-{++_partnerNumber:D6}", input.Raw, "ssdc-officer-8");
    }

    private async Task LinkAsync(Op op, Input input)
    {
        op.Version = await DoAsync(op.Id, "seizures", new { seizureId = input.Id }, op.Version);
        op.Linked.Add(input);
    }

    private async Task UnlinkAsync(Op op, Input input, string reason)
    {
        op.Version = await DoAsync(op.Id, $"seizures/{input.Id}/unlink", new { reason }, op.Version);
        op.Linked.Remove(input);
    }

    private async Task ArrestAsync(Op op, int count, params string[] charges)
    {
        op.Version = await DoAsync(op.Id, "arrests", new { count, charges }, op.Version, "mvd-liaison-1");
        op.Arrests.Add(count);
    }

    private async Task CaseAsync(Op op, string caseNumber, string agency)
    {
        op.Version = await DoAsync(op.Id, "cases", new { caseNumber, agency, openedOn = "2015-04-02" }, op.Version);
        op.Cases.Add($"{agency}:{caseNumber}");
    }

    private async Task<Op> StartAsync(string codeName, string lead, string[] agencies, string target, string plannedStart, DateTimeOffset? launchedAt)
    {
        var op = new Op(lead, launchedAt);
        var created = await PlanAsync(Plan(codeName, lead, agencies, [target], Bishkek, plannedStart,
            DateTimeOffset.Parse(plannedStart).AddDays(60).ToString("yyyy-MM-ddTHH:mm:ssK")));
        (op.Id, op.Version) = (created.Id, created.Version);
        if (launchedAt is { } at) op.Version = await DoAsync(op.Id, "launch", new { launchedAt = at.ToString("yyyy-MM-ddTHH:mm:ssK") }, op.Version);
        return op;
    }

    [Fact]
    public async Task a_joint_ssep_ssdc_operation_at_sizo_1_counts_in_the_year_of_its_launch_each_seizure_once()
    {
        string[] mou = ["SSEP", "SSDC"];

        // B: led by SSDC, planned in late 2014, launched at 01:00 on 1 January 2015 in Bishkek (19:00 UTC the day before).
        var b = await StartAsync("Night-Watch", "SSDC", mou, "IK-47", "2014-12-30T08:00:00+06:00", At("2014-12-31T19:00:00Z"));
        var b1 = new Input("SSEP", new RawSeizure("IK-47", At("2015-01-01T03:00:00+06:00"), "heroin", 50m, "g", "perimeter"));
        await RecordAsync(b1);
        await LinkAsync(b, b1);
        await ArrestAsync(b, 1, "Art. 283 CC KR");

        // A: the MOU operation at SIZO-1, "No. 21", led by SSEP.
        var a = await StartAsync("Barrier-21", "SSEP", mou, "No. 21", "2015-03-01T08:00:00+06:00", At("2015-03-02T09:00:00+06:00"));
        var s1 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-03-03T10:15:00+06:00"), "heroin", 120m, "g", "joint-operation"));
        var s2 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-03-04T12:00:00+06:00"), "cannabis-resin", 1.25m, "kg", "xray-parcel"));
        var s3 = new Input("SSDC", new RawSeizure("SIZO-1", At("2015-03-05T16:40:00+06:00"), "heroin", 0.4m, "kg", "intelligence-led"));
        var s4 = new Input("SSDC", new RawSeizure("SIZO-1", At("2015-03-03T10:15:00+06:00"), "heroin", 120m, "g", "intelligence-led"));
        var s5 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-03-10T09:00:00+06:00"), "opium", 30m, "g", "visitor-search"));
        var s6 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-03-11T09:00:00+06:00"), "methamphetamine", 15m, "g", "body-search"));
        var s7 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-03-12T09:00:00+06:00"), "tramadol", 20m, "tablet", "cell-search"));
        await RecordAsync(s1, joint: a); // recorded as a joint-operation seizure: it joins A as it is recorded
        await RecordAsync(s2);
        await RecordAsync(s3);
        await LinkAsync(a, s2);
        await LinkAsync(a, s3);

        await Task.Delay(50);
        var asOf = DateTimeOffset.UtcNow;
        var expectedAsOf = Expect([a, b], 2015); // taken now, before the lab result, the duplicate and the void below
        await Task.Delay(50);

        foreach (var s in new[] { s4, s5, s6, s7 }) await RecordAsync(s);
        foreach (var s in new[] { s4, s5, s6, s7 }) await LinkAsync(a, s);
        await UnlinkAsync(a, s5, "checked: found in the routine visitor search");
        await LinkAsync(a, s5); // ... and back: the raid's log shows it after all
        await ChangeAsync(s4.Id, "duplicate-of", new { duplicateOf = s1.Id, reason = "SSDC recorded the same heroin as SSEP's checkpoint" }, 1);
        s4.Duplicate = true;
        await ChangeAsync(s6.Id, "void", new { reason = "test kit false positive" }, 1);
        s6.Voided = true;
        await ChangeAsync(s2.Id, "lab-submissions", new { lab = "State Forensics Centre", labCaseNumber = "SFC-2015-311", submittedAt = "2015-03-06T10:00:00+06:00" }, 1);
        await ChangeAsync(s2.Id, "lab-results", new
        {
            labCaseNumber = "SFC-2015-311", confirmedSubstance = "cannabis-resin", netWeightGrams = 1180.5m,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "analyst-2", reportDate = "2015-03-20",
        }, 2);
        s2.LabGrams = 1180.5m;
        await ArrestAsync(a, 3, "Art. 283 CC KR");
        await ArrestAsync(a, 2, "Art. 283 CC KR", "Art. 247 CC KR");
        await CaseAsync(a, "SSDC-2015-77", "SSDC");
        await CaseAsync(a, "21-0042", "SSEP");
        a.Version = await DoAsync(a.Id, "conclude", new { summary = "Heroin channel via the parcel room closed.", concludedAt = "2015-04-20T18:00:00+06:00" }, a.Version);

        // C: launched, then cancelled: its seizure and arrests count nowhere. D: planned, never launched.
        var c = await StartAsync("Compromised", "SSEP", mou, "SIZO-1", "2015-06-01T08:00:00+06:00", At("2015-06-01T09:00:00+06:00"));
        var c1 = new Input("SSEP", new RawSeizure("SIZO-1", At("2015-06-01T12:00:00+06:00"), "heroin", 999m, "g", "cell-search"));
        await RecordAsync(c1);
        await LinkAsync(c, c1);
        await ArrestAsync(c, 4, "Art. 283 CC KR");
        c.Version = await DoAsync(c.Id, "cancel", new { reason = "operation compromised" }, c.Version);
        c.Cancelled = true;
        var d = await StartAsync("Shelved", "SSEP", mou, "SIZO-1", "2015-09-01T08:00:00+06:00", launchedAt: null);

        // E: launched at 00:30 on 1 January 2016 in Bishkek, still 2015 in UTC: it counts in 2016.
        var e = await StartAsync("New-Year", "SSDC", mou, "SIZO-1", "2015-12-30T08:00:00+06:00", At("2015-12-31T18:30:00Z"));
        var e1 = new Input("SSEP", new RawSeizure("SIZO-1", At("2016-01-01T01:00:00+06:00"), "cannabis-herb", 10m, "g", "perimeter"));
        await RecordAsync(e1);
        await LinkAsync(e, e1);

        await WaitForProjectionsAsync();
        Op[] all = [a, b, c, d, e];

        // What the test expects, from its own inputs: A and B count in 2015, E in 2016, C and D nowhere.
        var y2015 = Expect(all, 2015);
        y2015.Count.ShouldBe(2);
        y2015.Seizures.ShouldBe(6);              // s1, s2, s3, s5, s7 and b1: s4 is s1 again, s6 was voided
        y2015.Grams.ShouldBe(120m + 1180.5m + 400m + 30m + 50m);
        ShouldMatch((await GetJsonAsync("/api/years/2015/summary")).GetProperty("jointOperations"), y2015, "2015");
        ShouldMatch((await GetJsonAsync("/api/years/2016/summary")).GetProperty("jointOperations"), Expect(all, 2016), "2016");
        ShouldMatch((await GetJsonAsync("/api/years/2014/summary")).GetProperty("jointOperations"), Expect(all, 2014), "2014");
        // An agency's year counts the operations it led, as the annual report for that agency does.
        foreach (var lead in new[] { "SSEP", "SSDC" })
            ShouldMatch((await GetJsonAsync($"/api/years/2015/summary?agency={lead}")).GetProperty("jointOperations"),
                Expect(all.Where(o => o.Lead == lead), 2015), $"2015 led by {lead}");
        var asOfText = Uri.EscapeDataString(asOf.ToString("O"));
        ShouldMatch((await GetJsonAsync($"/api/years/2015/summary?asOf={asOfText}")).GetProperty("jointOperations"), expectedAsOf, "as of the early cut-off");

        // The operation itself: every linked seizure with its state now, grams by substance of those that count.
        var read = await OperationAsync(a.Id);
        read.GetProperty("version").GetInt64().ShouldBe(a.Version);
        read.GetProperty("status").GetString().ShouldBe("concluded");
        Codes(read.GetProperty("targetFacilities")).ShouldBe(["SIZO-1"]);
        var rows = read.GetProperty("seizures").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetGuid());
        rows.Keys.ShouldBe(a.Linked.Select(s => s.Id), ignoreOrder: true);
        foreach (var s in a.Linked)
        {
            rows[s.Id].GetProperty("agency").GetString().ShouldBe(s.Agency);
            rows[s.Id].GetProperty("status").GetString().ShouldBe(s.Voided ? "voided" : s.Duplicate ? "duplicate" : "counted");
        }
        rows[s2.Id].GetProperty("bestGrams").GetDecimal().ShouldBe(1180.5m);
        rows[s2.Id].GetProperty("labConfirmed").GetBoolean().ShouldBeTrue();
        rows[s7.Id].GetProperty("bestGrams").ValueKind.ShouldBe(JsonValueKind.Null);
        read.GetProperty("seizuresCounted").GetInt32().ShouldBe(a.Linked.Count(s => s.Counts));
        read.GetProperty("grams").GetDecimal().ShouldBe(a.Linked.Where(s => s.Counts).Sum(s => s.Grams));
        read.GetProperty("bySubstance").EnumerateArray()
            .Select(r => (r.GetProperty("substance").GetString()!, r.GetProperty("count").GetInt32(), r.GetProperty("grams").GetDecimal()))
            .ShouldBe(a.Linked.Where(s => s.Counts).GroupBy(s => s.Raw.Substance).Select(g => (g.Key, g.Count(), g.Sum(s => s.Grams))), ignoreOrder: true);
        read.GetProperty("arrests").GetInt32().ShouldBe(a.Arrests.Sum());
        read.GetProperty("cases").EnumerateArray().Select(k => $"{k.GetProperty("agency").GetString()}:{k.GetProperty("caseNumber").GetString()}")
            .ShouldBe(a.Cases);
        read.GetProperty("timeline").GetArrayLength().ShouldBe((int)a.Version);
    }
}
