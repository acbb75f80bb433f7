using SeizureIntel.Node;
using SeizureIntel.Operations;
using SeizureIntel.Sharing;
using SeizureIntel.Sharing.Contracts;
using SeizureIntel.Sharing.Publishing;

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
            new JointOperationLaunched(op.Id, Now.AddDays(-29), new DateOnly(2015, 4, 2), JointOperation.TimeZone, Planner, Now.AddDays(-29)),
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
