using SeizureIntel.Tests.Support;
using SeizureIntel.Calendar;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Operations;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>Joint operations go to their participants only, match their schema, and carry no person and no notes.</summary>
public sealed class OperationContractTests
{
    private static readonly DateTimeOffset Now = new(2015, 5, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly Actor Planner = new("planner-PERSON-9", "SSEP");

    /// <summary>A fixed example (stable ids), for the golden sample.</summary>
    public static JointOperationShared Example() =>
        OperationSharing.Snapshot(Operation(Guid.Parse("01a21f40-0000-7000-8000-000000000021"), Guid.Parse("01a21f40-0000-7000-8000-000000000001"),
            "SSEP", "SSDC"), "SSEP", new PartnerPolicy { Agency = "SSDC", PolicyId = "MOU-SSEP-SSDC" }, Now);

    private static JointOperation Operation(params string[] agencies) => Operation(Guid.CreateVersion7(), Guid.CreateVersion7(), agencies);

    private static JointOperation Operation(Guid id, Guid seizure, params string[] agencies)
    {
        var op = JointOperation.Create(new JointOperationPlanned(id, "Barrier-21", "SSEP", agencies, ["SIZO-1"], null,
            Now.AddDays(-30), Now.AddDays(30), "MOU SSEP–SSDC", Planner, Now.AddDays(-40)));
        op.Version = 1;
        return op.After([
            new JointOperationLaunched(op.Id, Now.AddDays(-29), new DateOnly(2015, 4, 2), LocalCalendar.CountryTimeZone, Planner, Now.AddDays(-29)),
            new SeizureLinked(op.Id, seizure, "SSEP-2015-000001", "SSEP", "link", new Actor("officer-PERSON-1", "SSEP"), Now),
            new ArrestsRecorded(op.Id, 2, ["art. 247"], "arrested: PERSON-NAME-1, PERSON-NAME-2", Planner, Now),
            new CriminalCaseOpened(op.Id, "CC-2015-1", "SSDC", new DateOnly(2015, 4, 20), Planner, Now),
        ]);
    }

    private static SharingOptions Options(params string[] partners) => new()
    {
        Transport = SharingOptions.Postgresql,
        Partners = partners.Select(p => new PartnerPolicy { Agency = p, PolicyId = "MOU", Records = PartnerPolicy.All }).ToList(),
    };

    [Fact]
    public void an_operation_goes_to_participating_partners_only()
    {
        var outgoing = OperationSharing.Decide(Operation("SSEP", "SSDC"), "SSEP", Options("SSDC", "MVD"), Now);
        outgoing.Select(o => o.Partner).ShouldBe(["SSDC"]);
    }

    [Fact]
    public void a_received_operation_is_not_passed_on()
    {
        var op = Operation("SSEP", "SSDC", "MVD");
        op.Received = true;
        OperationSharing.Decide(op, "SSDC", Options("SSEP", "MVD"), Now).ShouldBeEmpty();
    }


    /// <summary>A fixed example (stable ids) of the last update an agency gets: the state of the change that removed it.</summary>
    public static JointOperationShared LastUpdateAfterLeaving()
    {
        var op = Operation(Guid.Parse("01a21f40-0000-7000-8000-000000000022"), Guid.Parse("01a21f40-0000-7000-8000-000000000001"), "SSEP", "SSDC", "MVD");
        var left = op.After([new AgencyLeft(op.Id, "MVD", "withdrew its officers", Planner, Now)]);
        var options = new SharingOptions
        {
            Transport = SharingOptions.Postgresql,
            Partners = [new PartnerPolicy { Agency = "SSDC", PolicyId = "MOU-SSEP-SSDC" }, new PartnerPolicy { Agency = "MVD", PolicyId = "MOU-SSEP-MVD" }],
        };
        return (JointOperationShared)OperationSharing.Decide(op, left, "SSEP", options, Now).Single(o => o.Partner == "MVD").Message;
    }

    private static List<(string Partner, JointOperationShared Message)> Decide(JointOperation before, JointOperation after, SharingOptions options) =>
        OperationSharing.Decide(before, after, "SSEP", options, Now).Select(o => (o.Partner, (JointOperationShared)o.Message)).ToList();

    [Fact]
    public void an_agency_that_leaves_gets_one_last_state_that_no_longer_lists_it_and_then_nothing_until_it_is_added_again()
    {
        var options = Options("SSDC", "MVD");
        var running = Operation("SSEP", "SSDC", "MVD"); // version 5: planned, launched, a seizure, arrests, a case

        // SSDC leaves: both partners get the state after the change, SSDC its last one, which no longer lists it.
        var left = running.After([new AgencyLeft(running.Id, "SSDC", "its officers were recalled", Planner, Now)]);
        var sent = Decide(running, left, options);
        sent.Select(s => s.Partner).ShouldBe(["SSDC", "MVD"], ignoreOrder: true);
        foreach (var (_, m) in sent)
        {
            (m.OriginVersion, m.Operation.Status).ShouldBe((6L, "launched"));
            m.Operation.Agencies.ShouldBe(["SSEP", "MVD"]);
        }

        // Later changes go to those who still take part only.
        var arrests = left.After([new ArrestsRecorded(left.Id, 4, ["art. 247"], null, Planner, Now)]);
        Decide(left, arrests, options).Select(s => s.Partner).ShouldBe(["MVD"]);
        var concluded = arrests.After([new JointOperationConcluded(arrests.Id, Now, "done", Planner, Now)]);
        Decide(arrests, concluded, options).Select(s => s.Partner).ShouldBe(["MVD"]);

        // Added back: it gets the whole current state again (the arrests it missed included), and every change after.
        var back = arrests.After([new AgencyJoined(arrests.Id, "SSDC", "officers back", Planner, Now)]);
        var rejoined = Decide(arrests, back, options).Single(s => s.Partner == "SSDC").Message;
        (rejoined.OriginVersion, rejoined.Operation.Arrests.Sum(a => a.Count)).ShouldBe((8L, 6));
        rejoined.Operation.Agencies.ShouldContain("SSDC");
        var caseOpened = back.After([new CriminalCaseOpened(back.Id, "CC-2015-2", "SSDC", null, Planner, Now)]);
        Decide(back, caseOpened, options).Select(s => s.Partner).ShouldBe(["SSDC", "MVD"], ignoreOrder: true);

        // And leaving again is again one last state.
        var leftAgain = caseOpened.After([new AgencyLeft(caseOpened.Id, "SSDC", "recalled again", Planner, Now)]);
        Decide(caseOpened, leftAgain, options).Single(s => s.Partner == "SSDC").Message.Operation.Agencies.ShouldNotContain("SSDC");
        Decide(leftAgain, leftAgain.After([new JointOperationConcluded(leftAgain.Id, Now, "done", Planner, Now)]), options)
            .Select(s => s.Partner).ShouldBe(["MVD"]);
    }

    [Fact]
    public void an_agency_without_a_policy_here_gets_nothing_when_it_leaves_and_a_received_operation_goes_nowhere()
    {
        var running = Operation("SSEP", "SSDC", "MVD");
        var left = running.After([new AgencyLeft(running.Id, "MVD", "withdrew", Planner, Now)]);
        Decide(running, left, Options("SSDC")).Select(s => s.Partner).ShouldBe(["SSDC"]);

        var received = Operation("SSEP", "SSDC", "MVD");
        received.Received = true;
        Decide(received, received.After([new AgencyLeft(received.Id, "MVD", "withdrew", Planner, Now)]), Options("SSEP", "MVD")).ShouldBeEmpty();
    }

    [Fact]
    public void the_last_update_matches_its_schema_and_carries_no_person_and_no_notes()
    {
        var json = ContractFiles.Serialize(LastUpdateAfterLeaving());
        ContractFiles.ShouldMatchSchema(json, "joint-operation-shared", "the last JointOperationShared an agency that left gets");
        json.ShouldNotContain("PERSON");
        json.ShouldNotContain("withdrew its officers"); // the reason for leaving stays with the origin, like every reason
    }

    [Fact]
    public void the_message_matches_its_schema_and_carries_no_person_and_no_notes()
    {
        foreach (var (_, message) in OperationSharing.Decide(Operation("SSEP", "SSDC"), "SSEP", Options("SSDC"), Now))
        {
            var json = ContractFiles.Serialize(message);
            ContractFiles.ShouldMatchSchema(json, "joint-operation-shared", "a JointOperationShared the node sends");
            json.ShouldNotContain("PERSON");
        }
    }
}
