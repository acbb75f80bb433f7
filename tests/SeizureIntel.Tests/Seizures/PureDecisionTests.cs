using SeizureIntel.Identity;
using SeizureIntel.Linking;
using SeizureIntel.Pipeline;
using SeizureIntel.Operations;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Custody;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;

namespace SeizureIntel.Tests.Seizures;

/// <summary>The decisions are pure functions of state, command, actor and time: no host, no database.</summary>
public sealed class PureDecisionTests
{
    private static readonly Actor By = new("officer-17", "SSEP");
    private static readonly DateTimeOffset Now = new(2016, 1, 10, 8, 0, 0, TimeSpan.Zero);

    private static Seizure Recorded() => Seizure.Create(new SeizureRecorded(Guid.CreateVersion7(), "SSEP", "SSEP-2015-000001", "SIZO-1",
        new DateTimeOffset(2015, 3, 14, 4, 30, 0, TimeSpan.Zero), new DateOnly(2015, 3, 14), "Asia/Bishkek", "heroin",
        new Quantity(10m, "g"), "cell-search", null, "officer-17", Now));

    [Fact]
    public void a_hand_over_by_someone_other_than_the_custodian_is_refused()
    {
        var decision = TransferCustodyEndpoint.Decide(Recorded(),
            new TransferCustody("officer-99", "evidence-room", null, null, "r", null), Now, By, Now);
        decision.Events.ShouldBeEmpty();
        decision.Problem.ShouldNotBeNull().Status.ShouldBe(409);
    }

    [Fact]
    public void a_hand_over_by_the_custodian_becomes_an_event_with_who_and_when()
    {
        var seizure = Recorded();
        var decision = TransferCustodyEndpoint.Decide(seizure,
            new TransferCustody("officer-17", "evidence-room", null, "S-1", "storage", "SIZO-1"), Now, By, Now);
        decision.Problem.ShouldBeNull();
        var e = decision.Events.ShouldHaveSingleItem().ShouldBeOfType<CustodyTransferred>();
        (e.From, e.To, e.SealNumber, e.By, e.At).ShouldBe(("officer-17", "evidence-room", "S-1", By, Now));
    }

    [Fact]
    public void a_lab_result_needs_a_submission()
    {
        var report = new ValidLabReport(null, "heroin", 9.5m, 40m, [new LabTechnique("GC-MS", "A")], "a-1", new DateOnly(2015, 4, 1));
        var seizure = Recorded();
        ReportLabAnalysisEndpoint.Decide(seizure, report, By, Now).Problem.ShouldNotBeNull().Status.ShouldBe(409);

        seizure.Apply(new EvidenceSubmittedToLab(seizure.Id, "SFC", "SFC-1", Now, By, Now));
        var e = ReportLabAnalysisEndpoint.Decide(seizure, report, By, Now).Events.ShouldHaveSingleItem().ShouldBeOfType<LabAnalysisReported>();
        (e.Lab, e.LabCaseNumber, e.NetWeightGrams).ShouldBe(("SFC", "SFC-1", 9.5m));
    }

    [Fact]
    public void a_correction_that_changes_nothing_is_refused_and_one_that_changes_keeps_old_and_new_values()
    {
        var seizure = Recorded();
        var same = new ValidCorrection("r", null, null, "heroin", null, null, null, null, null, null, null);
        CorrectSeizureEndpoint.Decide(seizure, same, By, Now).Problem.ShouldNotBeNull();

        var changed = same with { Quantity = new Quantity(12m, "g") };
        var e = CorrectSeizureEndpoint.Decide(seizure, changed, By, Now).Events.ShouldHaveSingleItem().ShouldBeOfType<SeizureCorrected>();
        e.Changes.ShouldBe([new FieldChange("quantity", "10 g", "12 g")]);
        e.Substance.ShouldBeNull();
    }

    /// <summary>
    /// A correction as the pipeline composes it: the Linking module decides the link from the operations read under lock,
    /// then the correction's own decision takes the link's change into the seizure's history (or the link's refusal stands).
    /// </summary>
    private static (Decision Decision, LinkDecision Link) Correct(Seizure seizure, ValidCorrection correction, OperationLinkState operations)
    {
        var link = CorrectingInOperation.Decide(seizure, correction.Detection, operations, correction.Reason, By, Now);
        return link.Problem is not null
            ? (Decision.Refuse(link.Problem), link)
            : (CorrectSeizureEndpoint.Decide(seizure, correction, By, Now, link: link.Change), link);
    }

    private static JointOperation Launched(string codeName)
    {
        var id = Guid.CreateVersion7();
        var operation = JointOperation.Create(new JointOperationPlanned(id, codeName, "SSEP", ["SSEP", "SSDC"], ["SIZO-1"], null,
            Now.AddDays(-30), Now.AddDays(30), "MOU SSEP–SSDC", By, Now));
        operation.Apply(new JointOperationLaunched(id, Now.AddDays(-29), DateOnly.FromDateTime(Now.AddDays(-29).UtcDateTime), "Asia/Bishkek", By, Now));
        return operation;
    }

    [Fact]
    public void a_correction_to_joint_operation_links_the_seizure_and_one_naming_another_running_operation_moves_it()
    {
        var seizure = Recorded();
        var (a, b) = (Launched("A"), Launched("B"));
        var toA = new ValidCorrection("the raid's log", null, null, null, null, "joint-operation", null, null, null, null, null, OperationId: a.Id);

        var (decision, link) = Correct(seizure, toA, new OperationLinkState(null, a.Id, a));
        decision.Problem.ShouldBeNull();
        var linked = link.Events.ShouldHaveSingleItem().ShouldBeOfType<SeizureLinked>();
        (linked.OperationId, linked.SeizureId, linked.Via, linked.By).ShouldBe((a.Id, seizure.Id, "correction", By));
        decision.Events.ShouldHaveSingleItem().ShouldBeOfType<SeizureCorrected>().Changes.ShouldBe([
            new FieldChange("detection", "cell-search", "joint-operation"), new FieldChange("operationId", null, a.Id.ToString())]);

        seizure.Apply((SeizureCorrected)decision.Events[0]);
        a.Apply(linked);
        var (_, move) = Correct(seizure, toA with { OperationId = b.Id }, new OperationLinkState(a, b.Id, b));
        move.Events.Select(e => (e.GetType().Name, e.OperationId)).ShouldBe([(nameof(SeizureUnlinked), a.Id), (nameof(SeizureLinked), b.Id)]);
        ((SeizureUnlinked)move.Events[0]).Reason.ShouldBe("moved to joint operation B by a correction of the seizure: the raid's log");

        // Named again where it already is: nothing to correct.
        Correct(seizure, toA, new OperationLinkState(a, a.Id, a)).Decision.Problem.ShouldNotBeNull().Status.ShouldBe(409);
    }

    [Fact]
    public void a_correction_away_from_joint_operation_unlinks_the_seizure_unless_its_operation_is_closed()
    {
        var seizure = Recorded();
        var op = Launched("A");
        seizure.Apply(new SeizureCorrected(seizure.Id, [], "r", By, Now, Detection: "joint-operation"));
        op.Apply(new SeizureLinked(op.Id, seizure.Id, seizure.Reference, "SSEP", "recording", By, Now));
        var away = new ValidCorrection("found in the cell search", null, null, null, null, "cell-search", null, null, null, null, null);

        var (_, link) = Correct(seizure, away, new OperationLinkState(op, null, null));
        var unlinked = link.Events.ShouldHaveSingleItem().ShouldBeOfType<SeizureUnlinked>();
        (unlinked.OperationId, unlinked.Reason).ShouldBe((op.Id, "detection corrected from joint-operation to cell-search: found in the cell search"));

        op.Apply(new JointOperationConcluded(op.Id, Now, "done", By, Now));
        var (refused, refusedLink) = Correct(seizure, away, new OperationLinkState(op, null, null));
        refused.Events.ShouldBeEmpty();
        refusedLink.Events.ShouldBeEmpty();
        ((Microsoft.AspNetCore.Mvc.ValidationProblemDetails)refused.Problem.ShouldNotBeNull()).Errors.Keys.ShouldBe(["detection"]);
    }

    [Fact]
    public void a_voided_seizure_takes_no_change()
    {
        var seizure = Recorded();
        seizure.Apply(new SeizureVoided(seizure.Id, "error", By, Now));
        VoidSeizureEndpoint.Decide(seizure, new Duplicates([]), new VoidSeizure("again"), By, Now).Problem.ShouldNotBeNull().Status.ShouldBe(409);
        seizure.Counted.ShouldBeFalse();
    }
}
