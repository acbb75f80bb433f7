using System.Text.Json.Nodes;
using System.Text;
using JasperFx;
using Marten;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using Weasel.Core;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// How the copy a participant keeps of a partner's operation folds (pure, no host): it takes part, and counts in the
/// year of its launch, only while the origin's latest state lists the receiving agency.
/// </summary>
public sealed class ReceivedOperationTests
{
    private static readonly Guid Id = Guid.Parse("01a21f40-0000-7000-8000-0000000000a1");
    private static readonly DateTimeOffset Now = new(2015, 5, 1, 6, 0, 0, TimeSpan.Zero);

    private static PartnerOperationReceived Version(long v, string status, string[] agencies, string? receivingAgency = "SSDC") =>
        new(Id, "SSEP", v, "MOU-SSEP-SSDC", new SharedOperation("Barrier-21", "SSEP", agencies, ["SIZO-1"], status,
            Now.AddDays(-30), Now.AddDays(30), "MOU SSEP–SSDC", Now.AddDays(-29), new DateOnly(2015, 4, 2), status == "concluded" ? Now : null, null,
            [], [new SharedArrests(2, ["art. 247"])], []), Now, receivingAgency);

    [Fact]
    public void the_copy_stops_taking_part_and_counting_when_a_version_no_longer_lists_this_agency_and_starts_again_when_one_does()
    {
        var copy = JointOperation.Create(Version(2, "launched", ["SSEP", "SSDC"]));
        (copy.TakesPart, copy.CountedYear, copy.Year).ShouldBe((true, (int?)2015, 2015));

        copy.Apply(Version(4, "launched", ["SSEP"])); // SSDC left: the origin's last update to it
        (copy.TakesPart, copy.CountedYear, copy.Year).ShouldBe((false, (int?)null, 2015)); // still listed under its year, counted in none
        copy.Agencies.ShouldBe(["SSEP"]);
        copy.Status.ShouldBe(OperationStatus.Launched);

        copy.Apply(Version(6, "launched", ["SSEP", "SSDC"])); // added back
        (copy.TakesPart, copy.CountedYear).ShouldBe((true, (int?)2015));

        copy.Apply(Version(8, "launched", ["SSEP"])); // and left again
        (copy.TakesPart, copy.CountedYear).ShouldBe((false, (int?)null));
    }

    [Fact]
    public void an_operation_planned_here_always_takes_part()
    {
        var own = JointOperation.Create(new JointOperationPlanned(Id, "Barrier-21", "SSEP", ["SSEP", "SSDC"], ["SIZO-1"], null,
            Now.AddDays(-30), Now.AddDays(30), "MOU", new SeizureIntel.Identity.Actor("planner-1", "SSEP"), Now.AddDays(-40)));
        own.TakesPart.ShouldBeTrue();
    }

    [Fact]
    public void an_event_stored_before_the_receiving_agency_was_recorded_still_reads_and_takes_part()
    {
        // Marten's serializer as the node configures it; the stored JSON of an event written by the earlier code.
        var options = new StoreOptions();
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        var serializer = options.Serializer();
        var stored = JsonNode.Parse(serializer.ToJson(Version(3, "concluded", ["SSEP", "SSDC"])))!.AsObject();
        stored.Remove("receivingAgency").ShouldBeTrue();

        using var json = new MemoryStream(Encoding.UTF8.GetBytes(stored.ToJsonString()));
        var old = serializer.FromJson<PartnerOperationReceived>(json);
        old.ReceivingAgency.ShouldBeNull();
        old.Operation.Agencies.ShouldBe(["SSEP", "SSDC"]);
        var copy = JointOperation.Create(old);
        (copy.TakesPart, copy.CountedYear, copy.Status).ShouldBe((true, (int?)2015, OperationStatus.Concluded));
    }
}
