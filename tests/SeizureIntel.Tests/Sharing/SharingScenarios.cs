using System.Text.Json;
using Alba;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing;
using Wolverine;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Sharing;

/// <summary>The same sharing scenarios, run on each transport against real servers.</summary>
public abstract class SharingScenarios(TwoNodes nodes) : IAsyncLifetime
{
    protected IAlbaHost Ssep => nodes.Ssep;
    protected IAlbaHost Ssdc => nodes.Ssdc;

    public Task InitializeAsync() => nodes.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Seizure(decimal grams, string facility = "SIZO-1", string occurredAt = "2015-04-01T10:00:00+06:00",
        string substance = "heroin", object? distribution = null, string? notes = null) => new
    {
        facilityId = facility, occurredAt, substance, quantity = new { value = grams, unit = "g" }, detection = "visitor-search",
        notes, distribution,
    };

    private static async Task<bool> HasAsync(IAlbaHost host, Guid id, Func<JsonElement, bool>? and = null)
    {
        var result = await host.Scenario(s => { s.Get.Url($"/api/seizures/{id}"); s.IgnoreStatusCode(); });
        if (result.Context.Response.StatusCode != 200) return false;
        return and?.Invoke(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())) ?? true;
    }

    [Fact]
    public async Task a_seizure_recorded_by_one_node_appears_at_the_partner_under_its_origin_agency_and_is_acknowledged()
    {
        var a = await Ssep.RecordAsync(Seizure(120m, notes: "names a visitor, must not cross"));
        await EventuallyAsync(() => HasAsync(Ssdc, a.Id), "SSDC has SSEP's seizure");

        var there = await Ssdc.GetJsonAsync($"/api/seizures/{a.Id}");
        there.GetProperty("agency").GetString().ShouldBe("SSEP");
        there.GetProperty("reference").GetString().ShouldBe(a.Reference);
        there.GetProperty("notes").ValueKind.ShouldBe(JsonValueKind.Null); // the policy does not allow notes

        await EventuallyAsync(async () =>
        {
            var status = await Ssep.GetJsonAsync("/api/sharing/status");
            var ssdc = status.GetProperty("partners").EnumerateArray().Single();
            return ssdc.GetProperty("delivered").GetInt32() == 1 && ssdc.GetProperty("pending").GetInt32() == 0;
        }, "SSEP's status shows the record delivered to SSDC");
    }

    [Fact]
    public async Task a_change_refused_by_a_concurrent_write_sends_nothing_to_the_partner()
    {
        var a = await Ssep.RecordAsync(Seizure(100m));
        await EventuallyAsync(() => HasAsync(Ssdc, a.Id), "SSDC has SSEP's seizure");

        // Eight colleagues correct the same version at once, each to another weight: one wins, seven are refused (412).
        var weights = Enumerable.Range(1, 8).Select(i => 100m + i).ToList();
        var results = await Task.WhenAll(weights.Select(w => Ssep.Scenario(s =>
        {
            s.Post.Json(new { reason = "re-weighed", quantity = new { value = w, unit = "g" } }).ToUrl($"/api/seizures/{a.Id}/corrections");
            s.WithRequestHeader("If-Match", "\"1\"");
            s.IgnoreStatusCode();
        })));
        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        statuses.Count(c => c == 200).ShouldBe(1);
        statuses.Count(c => c == 412).ShouldBe(7);
        var winner = weights[statuses.IndexOf(200)];

        await EventuallyAsync(() => HasAsync(Ssdc, a.Id, s => s.GetProperty("quantity").GetProperty("value").GetDecimal() == winner),
            "SSDC has the winning correction");
        await Ssep.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        await Ssdc.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // Every version SSDC ever received of the record: the recording and the one committed correction, nothing of the
        // seven refused ones (their transactions, outbox included, never committed).
        var received = (await Ssdc.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession().Events.FetchStreamAsync(a.Id))
            .Select(e => ((SeizureIntel.Seizures.Partners.PartnerSeizureReceived)e.Data).Seizure.Quantity.Value).ToList();
        received.ShouldBe([100m, winner]);
    }

    [Fact]
    public async Task both_nodes_count_every_physical_seizure_once_attributed_to_its_origin()
    {
        await Ssep.RecordAsync(Seizure(100m));
        await Ssep.RecordAsync(Seizure(20m, facility: "IK-1"));
        await Ssdc.RecordAsync(Seizure(3m, facility: "IK-3"));
        // The same physical seizure recorded by both agencies: SSDC marks its own record as the duplicate.
        var twin = await Ssdc.RecordAsync(Seizure(100m));

        await EventuallyAsync(async () => (await Ssdc.YearGramsAsync(2015, "SSEP")) == 120m, "SSDC counts SSEP's 120 g");
        var ssepRecord = (await Ssdc.GetJsonAsync("/api/years/2015/summary?agency=SSEP")).GetProperty("count").GetInt32();
        ssepRecord.ShouldBe(2);

        // Find SSEP's 100 g record as SSDC holds it, and mark SSDC's twin as its duplicate.
        var ssepHundred = await FirstSeizureAsync(Ssep, 100m);
        await Ssdc.ChangeAsync(twin.Id, "duplicate-of", new { duplicateOf = ssepHundred, reason = "same parcel, seized in a joint search" }, 1);

        await EventuallyAsync(async () => await Ssep.YearGramsAsync(2015) == 123m && await Ssdc.YearGramsAsync(2015) == 123m,
            "both nodes show 123 g: 100 + 20 from SSEP, 3 from SSDC, the twin counted once");
        var bySsep = await Ssep.GetJsonAsync("/api/years/2015/summary");
        bySsep.GetProperty("byAgency").EnumerateArray().ToDictionary(r => r.GetProperty("agency").GetString()!, r => r.GetProperty("grams").GetDecimal())
            .ShouldBe(new Dictionary<string, decimal> { ["SSEP"] = 120m, ["SSDC"] = 3m }, ignoreOrder: true);
        (await Ssep.YearGramsAsync(2015, "SSDC")).ShouldBe(3m);

        // The analysts' views on both nodes count the same seizures once, under their origin agency.
        foreach (var host in new[] { Ssep, Ssdc })
        {
            async Task<(int, decimal)> April(string filter)
            {
                var point = (await host.GetJsonAsync($"/api/trends?from=2015-04&to=2015-04{filter}")).GetProperty("series").EnumerateArray().Single();
                return (point.GetProperty("count").GetInt32(), point.GetProperty("grams").GetDecimal());
            }
            (await April("")).ShouldBe((3, 123m));
            (await April("&agency=SSEP")).ShouldBe((2, 120m));
            (await April("&agency=SSDC")).ShouldBe((1, 3m));
            var compare = await host.GetJsonAsync("/api/compare?year=2015&baseline=2014&by=agency");
            compare.GetProperty("rows").EnumerateArray()
                .ToDictionary(r => r.GetProperty("key").GetString()!, r => r.GetProperty("current").GetProperty("grams").GetDecimal())
                .ShouldBe(new Dictionary<string, decimal> { ["SSEP"] = 120m, ["SSDC"] = 3m }, ignoreOrder: true);
        }
    }

    private static async Task<Guid> FirstSeizureAsync(IAlbaHost host, decimal grams)
    {
        await using var session = host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        var all = await Marten.QueryableExtensions.ToListAsync(session.Query<SeizureIntel.Seizures.Seizure>());
        return all.First(s => s.Quantity.Value == grams && !s.Received).Id;
    }

    [Fact]
    public async Task corrections_lab_results_and_voids_propagate()
    {
        var a = await Ssep.RecordAsync(Seizure(500m));
        var b = await Ssep.RecordAsync(Seizure(40m));
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015) == 540m, "SSDC has 540 g");

        await Ssep.ChangeAsync(a.Id, "corrections", new { reason = "re-weighed", quantity = new { value = 450, unit = "g" } }, 1);
        await Ssep.ChangeAsync(a.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-9", submittedAt = "2015-04-02T09:00:00+06:00" }, 2);
        await Ssep.ChangeAsync(a.Id, "lab-results", new
        {
            confirmedSubstance = "heroin", netWeightGrams = 431.5m, techniques = new[] { new { name = "GC-MS", category = "A" } },
            analyst = "analyst-3", reportDate = "2015-04-20",
        }, 3);
        await Ssep.ChangeAsync(b.Id, "void", new { reason = "test parcel, not a seizure" }, 1);

        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015) == 431.5m, "SSDC shows the lab weight and no voided record");
        var year = await Ssdc.GetJsonAsync("/api/years/2015/summary");
        year.GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(431.5m);
        year.GetProperty("count").GetInt32().ShouldBe(1);
        var there = await Ssdc.GetJsonAsync($"/api/seizures/{a.Id}");
        there.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(450m);
        there.GetProperty("labResults")[0].GetProperty("analyst").GetString().ShouldBe(""); // no person crosses
        (await Ssdc.GetJsonAsync($"/api/seizures/{b.Id}")).GetProperty("status").GetString().ShouldBe("voided");

        // A partner's record is changed only by its origin.
        await Ssdc.ChangeAsync(a.Id, "void", new { reason = "not ours to void" }, 4, status: 409);
    }

    [Fact]
    public async Task each_node_records_its_own_demo_seizures_and_once_exchanged_both_show_the_seed_figures()
    {
        foreach (var host in new[] { Ssep, Ssdc })
        {
            var loaded = await SeizureIntel.Demo.DemoData.LoadAsync(host.Services, CancellationToken.None);
            loaded.ShouldBeGreaterThan(0);
            loaded.ShouldBeLessThan(82); // its own share only
        }

        foreach (var host in new[] { Ssep, Ssdc })
            await EventuallyAsync(async () => await host.YearGramsAsync(2015) == 140_900m && await host.YearGramsAsync(2014) == 119_900m,
                "140.9 kg in 2015 and 119.9 kg in 2014 on both nodes", seconds: 60);
        (await Ssep.YearGramsAsync(2015, "SSEP") + await Ssep.YearGramsAsync(2015, "SSDC")).ShouldBe(140_900m);
        (await Ssdc.GetJsonAsync("/api/years/2015/summary")).GetProperty("count").GetInt32()
            .ShouldBe((await Ssep.GetJsonAsync("/api/years/2015/summary")).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task a_joint_operation_goes_to_its_participants_and_counts_once_in_both_nodes_years()
    {
        var created = await Ssep.Scenario(x =>
        {
            x.Post.Json(new
            {
                codeName = "Barrier-21", leadAgency = "SSEP", agencies = new[] { "SSEP", "SSDC" }, targetFacilities = new[] { "SIZO-1" },
                plannedStart = "2015-03-01T08:00:00+06:00", plannedEnd = "2015-04-30T20:00:00+06:00", legalBasis = "MOU SSEP–SSDC",
            }).ToUrl("/api/operations");
            x.StatusCodeShouldBe(201);
        });
        var op = JsonSerializer.Deserialize<JsonElement>(await created.ReadAsTextAsync()).GetProperty("id").GetGuid();
        async Task Change(string path, object body, long version) => await Ssep.Scenario(x =>
        {
            x.Post.Json(body).ToUrl($"/api/operations/{op}/{path}");
            x.WithRequestHeader("If-Match", $"\"{version}\"");
            x.StatusCodeShouldBe(200);
        });
        var seizure = await Ssep.RecordAsync(Seizure(60m));
        await Change("launch", new { launchedAt = "2015-03-02T06:00:00+06:00" }, 1);
        await Change("seizures", new { seizureId = seizure.Id }, 2);
        await Change("arrests", new { count = 3, charges = new[] { "art. 247 (drug trafficking)" }, notes = "names of the arrested stay here" }, 3);
        await Change("cases", new { caseNumber = "CC-2015-0042", agency = "SSDC" }, 4);

        async Task<bool> SsdcHasOperation()
        {
            var r = await Ssdc.Scenario(x => { x.Get.Url($"/api/operations/{op}"); x.IgnoreStatusCode(); });
            if (r.Context.Response.StatusCode != 200) return false;
            var o = JsonSerializer.Deserialize<JsonElement>(await r.ReadAsTextAsync());
            return o.GetProperty("cases").GetArrayLength() == 1;
        }
        await EventuallyAsync(SsdcHasOperation, "SSDC holds the operation with its case");
        await EventuallyAsync(() => HasAsync(Ssdc, seizure.Id), "SSDC holds the linked seizure");

        var there = await Ssdc.GetJsonAsync($"/api/operations/{op}");
        there.GetProperty("status").GetString().ShouldBe("launched");
        there.GetProperty("arrests").GetInt32().ShouldBe(3);
        JsonSerializer.Serialize(there).ShouldNotContain("names of the arrested");
        foreach (var host in new[] { Ssep, Ssdc })
        {
            await EventuallyAsync(async () =>
            {
                await host.YearGramsAsync(2015);
                var jo = (await host.GetJsonAsync("/api/years/2015/summary")).GetProperty("jointOperations");
                return jo.GetProperty("count").GetInt32() == 1 && jo.GetProperty("arrests").GetInt32() == 3 && jo.GetProperty("cases").GetInt32() == 1
                       && jo.GetProperty("grams").GetDecimal() == 60m;
            }, "one operation, 3 arrests, 1 case, 60 g in 2015");
        }
        // Only the node that planned it changes it.
        await Ssdc.Scenario(x =>
        {
            x.Post.Json(new { reason = "not ours" }).ToUrl($"/api/operations/{op}/cancel");
            x.WithRequestHeader("If-Match", "\"5\"");
            x.StatusCodeShouldBe(409);
        });
    }

    /// <summary>One of SSEP's operations as the test knows it, for the figures each node must show.</summary>
    private sealed class KnownOperation(string codeName, int launchYear)
    {
        public string CodeName { get; } = codeName;
        public int LaunchYear { get; } = launchYear;
        public Guid Id { get; set; }
        public long Version { get; set; }
        public bool SsdcTakesPart { get; set; } = true;
        public List<int> Arrests { get; } = [];
        public HashSet<string> Cases { get; } = [];
        public List<decimal> SeizureGrams { get; } = [];
    }

    private sealed record OperationFigures(int Count, int Seizures, decimal Grams, int Arrests, int Cases);

    /// <summary>What a node's year must show: SSEP leads (and so counts) every operation; SSDC counts those it takes part in.</summary>
    private static OperationFigures Expected(IEnumerable<KnownOperation> all, string agency, int year)
    {
        var ops = all.Where(o => o.LaunchYear == year && (agency == "SSEP" || o.SsdcTakesPart)).ToList();
        return new OperationFigures(ops.Count, ops.Sum(o => o.SeizureGrams.Count), ops.Sum(o => o.SeizureGrams.Sum()), ops.Sum(o => o.Arrests.Sum()),
            ops.Sum(o => o.Cases.Count));
    }

    private static async Task<OperationFigures> JointOperationsAsync(IAlbaHost host, int year, string? asOf = null)
    {
        await host.YearGramsAsync(year); // the ledger's facts (best weights) caught up
        var jo = (await host.GetJsonAsync($"/api/years/{year}/summary{(asOf is null ? "" : "?asOf=" + Uri.EscapeDataString(asOf))}"))
            .GetProperty("jointOperations");
        return new OperationFigures(jo.GetProperty("count").GetInt32(), jo.GetProperty("seizures").GetInt32(), jo.GetProperty("grams").GetDecimal(),
            jo.GetProperty("arrests").GetInt32(), jo.GetProperty("cases").GetInt32());
    }

    private async Task PlanAsync(KnownOperation op, string launchedAt)
    {
        var created = await Ssep.Scenario(x =>
        {
            x.Post.Json(new
            {
                codeName = op.CodeName, leadAgency = "SSEP", agencies = new[] { "SSEP", "SSDC" }, targetFacilities = new[] { "SIZO-1" },
                plannedStart = $"{op.LaunchYear}-01-10T08:00:00+06:00", plannedEnd = $"{op.LaunchYear}-12-20T20:00:00+06:00", legalBasis = "MOU SSEP–SSDC",
            }).ToUrl("/api/operations");
            x.StatusCodeShouldBe(201);
        });
        var body = JsonSerializer.Deserialize<JsonElement>(await created.ReadAsTextAsync());
        (op.Id, op.Version) = (body.GetProperty("id").GetGuid(), body.GetProperty("version").GetInt64());
        await ChangeAsync(op, "launch", new { launchedAt });
    }

    /// <summary>A change on SSEP, the operation's origin, with the version the test last saw.</summary>
    private async Task ChangeAsync(KnownOperation op, string path, object body)
    {
        var result = await Ssep.Scenario(x =>
        {
            x.Post.Json(body).ToUrl($"/api/operations/{op.Id}/{path}");
            x.WithRequestHeader("If-Match", $"\"{op.Version}\"");
            x.StatusCodeShouldBe(200);
        });
        op.Version = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync()).GetProperty("version").GetInt64();
    }

    /// <summary>SSDC's copy of the operation, or null while it has none.</summary>
    private async Task<JsonElement?> SsdcCopyAsync(KnownOperation op)
    {
        var r = await Ssdc.Scenario(x => { x.Get.Url($"/api/operations/{op.Id}"); x.IgnoreStatusCode(); });
        return r.Context.Response.StatusCode == 200 ? JsonSerializer.Deserialize<JsonElement>(await r.ReadAsTextAsync()) : null;
    }

    /// <summary>The version of the operation SSEP last sent SSDC, from SSEP's sharing ledger (written with the outgoing message).</summary>
    private async Task<long> SentToSsdcAsync(KnownOperation op)
    {
        await using var session = Ssep.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        return (await session.LoadAsync<SeizureIntel.Sharing.Publishing.ShareLedgerEntry>(
            SeizureIntel.Sharing.Publishing.ShareLedgerEntry.IdFor("SSDC", op.Id)))!.SentVersion;
    }

    private Task<long> SsdcEventsOfAsync(KnownOperation op) =>
        CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{op.Id}'");

    [Fact]
    public async Task an_agency_that_leaves_an_operation_gets_its_last_state_stops_counting_it_hears_nothing_more_and_resumes_when_added_back()
    {
        var barrier = new KnownOperation("Barrier-21", 2015);
        var checkpoint = new KnownOperation("Checkpoint-7", 2015); // SSDC stays in this one throughout
        var all = new[] { barrier, checkpoint };
        async Task BothNodesShowExpectedFigures(string when)
        {
            foreach (var agency in new[] { "SSEP", "SSDC" })
            {
                var expected = Expected(all, agency, 2015);
                OperationFigures? seen = null;
                try
                {
                    await EventuallyAsync(async () => (seen = await JointOperationsAsync(nodes.Node(agency), 2015)) == expected,
                        $"{agency}'s 2015 joint operations {when}");
                }
                catch (TimeoutException e)
                {
                    throw new TimeoutException($"{e.Message}: expected {expected}, last seen {seen}");
                }
            }
        }

        await PlanAsync(barrier, "2015-03-02T06:00:00+06:00");
        var seizure = await Ssep.RecordAsync(Seizure(60m));
        await ChangeAsync(barrier, "seizures", new { seizureId = seizure.Id });
        barrier.SeizureGrams.Add(60m);
        await PlanAsync(checkpoint, "2015-06-10T06:00:00+06:00");
        await ChangeAsync(checkpoint, "arrests", new { count = 2, charges = new[] { "art. 247" } });
        checkpoint.Arrests.Add(2);

        await EventuallyAsync(async () => await SsdcCopyAsync(barrier) is { } c && c.GetProperty("seizures").GetArrayLength() == 1,
            "SSDC holds Barrier-21 with its seizure");
        (await SsdcCopyAsync(barrier))!.Value.GetProperty("takesPart").GetBoolean().ShouldBeTrue();
        await BothNodesShowExpectedFigures("with SSDC in both operations");
        var beforeLeaving = DateTimeOffset.UtcNow;
        var ssdcBeforeLeaving = Expected(all, "SSDC", 2015);

        // SSDC leaves Barrier-21: its node gets the state of that change, which no longer lists it.
        await ChangeAsync(barrier, "agencies/SSDC/leave", new { reason = "officers recalled to Osh" });
        barrier.SsdcTakesPart = false;
        await EventuallyAsync(async () => await SsdcCopyAsync(barrier) is { } c && !c.GetProperty("takesPart").GetBoolean(),
            "SSDC's copy shows it left");
        var copy = (await SsdcCopyAsync(barrier))!.Value;
        copy.GetProperty("agencies").EnumerateArray().Select(a => a.GetString()).ShouldBe(["SSEP"]);
        copy.GetProperty("status").GetString().ShouldBe("launched");
        copy.GetProperty("countedYear").ValueKind.ShouldBe(JsonValueKind.Null);
        copy.GetProperty("year").GetInt32().ShouldBe(2015);
        (await Ssep.GetJsonAsync($"/api/operations/{barrier.Id}")).GetProperty("takesPart").GetBoolean().ShouldBeTrue();
        await BothNodesShowExpectedFigures("after SSDC left Barrier-21");
        // Recomputed from SSDC's own events: as of before it left it counted there, as of now it does not.
        (await JointOperationsAsync(Ssdc, 2015, beforeLeaving.ToString("O"))).ShouldBe(ssdcBeforeLeaving);
        (await JointOperationsAsync(Ssdc, 2015, DateTimeOffset.UtcNow.ToString("O"))).ShouldBe(Expected(all, "SSDC", 2015));
        var ssdcEvents = await SsdcEventsOfAsync(barrier);
        var lastSent = barrier.Version;
        (await SentToSsdcAsync(barrier)).ShouldBe(lastSent);

        // SSEP goes on without SSDC: nothing of it reaches SSDC. Checkpoint-7's next change does (and comes after it).
        await ChangeAsync(barrier, "arrests", new { count = 3, charges = new[] { "art. 247" } });
        barrier.Arrests.Add(3);
        await ChangeAsync(checkpoint, "arrests", new { count = 1, charges = new[] { "art. 247" } });
        checkpoint.Arrests.Add(1);
        await BothNodesShowExpectedFigures("after arrests in both operations");
        (await SentToSsdcAsync(barrier)).ShouldBe(lastSent);
        (await SsdcEventsOfAsync(barrier)).ShouldBe(ssdcEvents);
        (await SsdcCopyAsync(barrier))!.Value.GetProperty("arrests").GetInt32().ShouldBe(0);

        // Added back: the whole current state arrives (the arrests it missed included), it counts again, updates resume.
        await ChangeAsync(barrier, "agencies", new { agency = "SSDC", reason = "officers back" });
        barrier.SsdcTakesPart = true;
        await EventuallyAsync(async () => await SsdcCopyAsync(barrier) is { } c && c.GetProperty("takesPart").GetBoolean(),
            "SSDC's copy shows it takes part again");
        (await SsdcCopyAsync(barrier))!.Value.GetProperty("arrests").GetInt32().ShouldBe(3);
        await BothNodesShowExpectedFigures("after SSDC was added back");
        await ChangeAsync(barrier, "cases", new { caseNumber = "CC-2015-0042", agency = "SSDC" });
        barrier.Cases.Add("SSDC/CC-2015-0042");
        await EventuallyAsync(async () => await SsdcCopyAsync(barrier) is { } c && c.GetProperty("cases").GetArrayLength() == 1,
            "SSDC gets the case opened after it was added back");
        await BothNodesShowExpectedFigures("after a case in Barrier-21");

        // Leaving again is again one last state, and again the end of it.
        await ChangeAsync(barrier, "agencies/SSDC/leave", new { reason = "case handed to SSEP" });
        barrier.SsdcTakesPart = false;
        await EventuallyAsync(async () => await SsdcCopyAsync(barrier) is { } c && !c.GetProperty("takesPart").GetBoolean(),
            "SSDC's copy shows it left again");
        await BothNodesShowExpectedFigures("after SSDC left Barrier-21 again");
        lastSent = barrier.Version;
        ssdcEvents = await SsdcEventsOfAsync(barrier);
        await ChangeAsync(barrier, "conclude", new { summary = "border route closed" });
        await ChangeAsync(checkpoint, "conclude", new { summary = "done" });
        await EventuallyAsync(async () => await SsdcCopyAsync(checkpoint) is { } c && c.GetProperty("status").GetString() == "concluded",
            "SSDC sees Checkpoint-7 concluded");
        (await SentToSsdcAsync(barrier)).ShouldBe(lastSent);
        (await SsdcEventsOfAsync(barrier)).ShouldBe(ssdcEvents);
        (await SsdcCopyAsync(barrier))!.Value.GetProperty("status").GetString().ShouldBe("launched"); // its last state, not SSEP's conclusion
        await BothNodesShowExpectedFigures("after both were concluded");

        // Nothing was refused on the way: the last updates were applied, not dead-lettered.
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters")).ShouldBe(0);
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSEP")}.wolverine_dead_letters")).ShouldBe(0);
    }

    [Fact]
    public async Task new_operations_planned_and_launched_at_once_are_each_applied_at_the_partner_and_none_is_dead_lettered()
    {
        // Versions 1 and 2 of a new operation may be taken side by side at the partner, both starting its stream there:
        // the one that loses at commit must go again (and find the other's), not be dead-lettered.
        var operations = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var created = await Ssep.Scenario(x =>
            {
                x.Post.Json(new
                {
                    codeName = $"Twin-{i}", leadAgency = "SSEP", agencies = new[] { "SSEP", "SSDC" }, targetFacilities = new[] { "SIZO-1" },
                    plannedStart = "2015-03-01T08:00:00+06:00", plannedEnd = "2015-04-30T20:00:00+06:00", legalBasis = "MOU SSEP–SSDC",
                }).ToUrl("/api/operations");
                x.StatusCodeShouldBe(201);
            });
            var op = JsonSerializer.Deserialize<JsonElement>(await created.ReadAsTextAsync()).GetProperty("id").GetGuid();
            await Ssep.Scenario(x =>
            {
                x.Post.Json(new { launchedAt = "2015-03-02T06:00:00+06:00" }).ToUrl($"/api/operations/{op}/launch");
                x.WithRequestHeader("If-Match", "\"1\"");
                x.StatusCodeShouldBe(200);
            });
            operations.Add(op);
        }
        foreach (var op in operations)
            await EventuallyAsync(async () =>
            {
                var r = await Ssdc.Scenario(x => { x.Get.Url($"/api/operations/{op}"); x.IgnoreStatusCode(); });
                return r.Context.Response.StatusCode == 200
                       && JsonSerializer.Deserialize<JsonElement>(await r.ReadAsTextAsync()).GetProperty("status").GetString() == "launched";
            }, $"SSDC holds operation {op} launched");
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters")).ShouldBe(0);
    }

    [Fact]
    public async Task a_record_marked_own_agency_only_never_leaves()
    {
        var secret = await Ssep.RecordAsync(Seizure(77m, distribution: new { scope = "own-agency" }));
        var open = await Ssep.RecordAsync(Seizure(1m));
        await EventuallyAsync(() => HasAsync(Ssdc, open.Id), "the open record arrived");
        (await HasAsync(Ssdc, secret.Id)).ShouldBeFalse();
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_streams")).ShouldBe(1);
    }

    [Fact]
    public async Task the_same_message_ten_times_and_an_older_version_after_a_newer_change_nothing()
    {
        using var scope = Ssep.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var id = Guid.CreateVersion7();
        SeizureShared Version(long v, decimal grams) => new(1, "SSEP", id, "SSEP-2015-999999", v, "H2", Distribution.Everyone, "MOU-SSEP-SSDC",
            DateTimeOffset.UtcNow, new SharedSeizure("SIZO-1", null, "KG-C", DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1),
                "Asia/Bishkek", "heroin", new SharedQuantity(grams, "g"), "cell-search", new SharedCircumstances(null, null, null, null), null, null,
                "counted", null, false));

        for (var i = 0; i < 10; i++) await bus.EndpointFor(SharingOptions.EndpointOf("SSDC")).SendAsync(Version(2, 250m));
        await bus.EndpointFor(SharingOptions.EndpointOf("SSDC")).SendAsync(Version(1, 999m)); // late, older
        await EventuallyAsync(() => HasAsync(Ssdc, id), "the record arrived");
        await Task.Delay(1500); // let the duplicates and the late version be processed too
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015) == 250m, "SSDC counts the record once, at version 2");
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{id}'")).ShouldBe(1);
        (await Ssdc.GetJsonAsync($"/api/seizures/{id}")).GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(250m);
    }

    [Fact]
    public async Task a_withdrawal_that_overtakes_its_records_share_keeps_that_share_off_the_partner_and_a_newer_one_is_applied()
    {
        // Records and withdrawals are applied in separate batches, so a withdrawal can come first: SSEP shared v1 of a
        // record and withdrew it at v2, and SSDC takes the withdrawal before the share.
        using var scope = Ssep.Services.CreateScope();
        var ssdc = scope.ServiceProvider.GetRequiredService<IMessageBus>().EndpointFor(SharingOptions.EndpointOf("SSDC"));
        var schema = nodes.SchemaOf("SSDC");
        var id = Guid.CreateVersion7();
        static SeizureShared Version(Guid record, string reference, long version) => new(1, "SSEP", record, reference, version, "H1",
            Distribution.Everyone, "MOU-SSEP-SSDC", DateTimeOffset.UtcNow,
            new SharedSeizure("SIZO-1", null, null, DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1), "Asia/Bishkek",
                "heroin", new SharedQuantity(40m, "g"), "cell-search", new SharedCircumstances(null, null, null, null), null, null, "counted", null, false));

        await ssdc.SendAsync(new SeizureWithdrawn(1, "SSEP", id, 2, "no longer covered by the MOU policy", "MOU-SSEP-SSDC", DateTimeOffset.UtcNow));
        await EventuallyAsync(async () => await CountAsync($"select count(*) from {schema}.mt_doc_withdrawnbeforearrival where id = 'SSEP:{id}'") == 1,
            "SSDC noted the withdrawal of a record it does not hold");

        // The overtaken share arrives, then another record on the same channel: once that one is in, the late share was handled.
        var control = Guid.CreateVersion7();
        await ssdc.SendAsync(Version(id, "SSEP-2015-000901", 1));
        await ssdc.SendAsync(Version(control, "SSEP-2015-000902", 1));
        await EventuallyAsync(() => HasAsync(Ssdc, control), "the record sent after the late share arrived");
        (await CountAsync($"select count(*) from {schema}.mt_events where stream_id = '{id}'")).ShouldBe(0);
        (await HasAsync(Ssdc, id)).ShouldBeFalse();
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015) == 40m, "SSDC counts the control record alone");

        // Shared again later (the origin's policy covers it again): a newer version, applied as usual.
        await ssdc.SendAsync(Version(id, "SSEP-2015-000901", 3));
        await EventuallyAsync(() => HasAsync(Ssdc, id), "the record shared again at v3 arrived");
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015) == 80m, "SSDC counts both records");
    }

    [Fact]
    public async Task a_schema_invalid_message_is_dead_lettered_with_its_reason_and_nothing_is_applied()
    {
        using var scope = Ssep.Services.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var id = Guid.CreateVersion7();
        var bad = new SeizureShared(1, "SSEP", id, "SSEP-2015-000777", 1, "H2", Distribution.Everyone, "MOU-SSEP-SSDC", DateTimeOffset.UtcNow,
            new SharedSeizure("SIZO-1", null, null, DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1), "Asia/Bishkek",
                "moon-dust", new SharedQuantity(5m, "g"), "cell-search", new SharedCircumstances(null, null, null, null), null, null, "counted", null, false));
        await bus.EndpointFor(SharingOptions.EndpointOf("SSDC")).SendAsync(bad);

        var deadLetters = $"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters where exception_message like '%moon-dust%'";
        await EventuallyAsync(async () => await CountAsync(deadLetters) == 1, "SSDC dead-lettered the message, naming the bad substance");
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{id}'")).ShouldBe(0);

        // The supervisor's sharing page reads the same dead letter with its reason.
        var status = await Ssdc.GetJsonAsync("/api/sharing/status");
        var letter = status.GetProperty("deadLetters").EnumerateArray()
            .Single(d => d.GetProperty("exceptionMessage").GetString()!.Contains("moon-dust", StringComparison.Ordinal));
        letter.GetProperty("messageType").GetString()!.ShouldContain("seizure", Case.Insensitive);
        letter.GetProperty("exceptionType").GetString()!.ShouldEndWith("InvalidSharedMessage");
    }
}

[Collection(PostgresqlSharingCollection.Name)]
public sealed class SharingOverPostgresqlQueues(TwoNodesOnPostgresql nodes) : SharingScenarios(nodes);

[Collection(RabbitMqSharingCollection.Name)]
public sealed class SharingOverRabbitMq(TwoNodesOnRabbitMq nodes) : SharingScenarios(nodes);
