using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Custody;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

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

    [Fact]
    public void a_voided_seizure_takes_no_change()
    {
        var seizure = Recorded();
        seizure.Apply(new SeizureVoided(seizure.Id, "error", By, Now));
        VoidSeizureEndpoint.Decide(seizure, new VoidSeizure("again"), By, Now).Problem.ShouldNotBeNull().Status.ShouldBe(409);
        seizure.Counted.ShouldBeFalse();
    }
}
