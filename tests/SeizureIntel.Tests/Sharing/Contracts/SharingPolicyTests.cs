using SeizureIntel.Tests.Support;
using SeizureIntel.Contracts;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing;
using static SeizureIntel.Tests.Sharing.Contracts.SharingExamples;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>The MOU rules of <see cref="SeizureSharing.Decide"/>, as pure functions of state and policy.</summary>
public sealed class SharingPolicyTests
{
    private static readonly SharingOptions BothPartnersEverything = Options(Policy("SSDC", PartnerPolicy.All, false), Policy("MVD", PartnerPolicy.All, false));
    private static readonly Dictionary<string, ShareLedgerEntry> NothingSent = [];

    private static List<SeizureSharing.Outgoing> Decide(Seizure seizure, SharingOptions? options = null, Dictionary<string, ShareLedgerEntry>? sent = null) =>
        SeizureSharing.Decide(seizure, NodeAgency, options ?? BothPartnersEverything, sent ?? NothingSent, Now);

    private static Dictionary<string, ShareLedgerEntry> SentTo(Seizure s, params string[] partners) =>
        partners.ToDictionary(p => p, p => new ShareLedgerEntry { Id = ShareLedgerEntry.IdFor(p, s.Id), Partner = p, RecordId = s.Id, OriginAgency = s.Agency, SentVersion = 1 });

    [Fact]
    public void a_record_of_all_partners_goes_to_every_partner_with_each_ones_policy_id()
    {
        var outgoing = Decide(Recorded(1));
        outgoing.Select(o => o.Partner).ShouldBe(["SSDC", "MVD"], ignoreOrder: true);
        outgoing.Select(o => ((SeizureShared)o.Message).PolicyId).ShouldBe(["MOU-SSEP-SSDC", "MOU-SSEP-MVD"], ignoreOrder: true);
        var m = (SeizureShared)outgoing[0].Message;
        (m.OriginAgency, m.OriginReference, m.OriginVersion, m.HandlingCode).ShouldBe(("SSEP", "SSEP-2015-000001", 1L, "H2"));
    }

    [Fact]
    public void a_record_marked_own_agency_only_never_produces_a_message()
    {
        var secret = Recorded(10, distribution: new Distribution(Distribution.OwnAgency, []));
        foreach (var (_, options) in PolicySets) Decide(secret, options).ShouldBeEmpty();
        Decide(secret.With(new SeizureCorrected(secret.Id, [], "re-weighed", Clerk, Now, Quantity: new(5m, "g")))).ShouldBeEmpty();
    }

    [Fact]
    public void a_named_partners_record_goes_only_to_the_partners_named()
    {
        var toSsdc = Recorded(2, distribution: new Distribution(Distribution.NamedPartners, ["SSDC"]));
        Decide(toSsdc).ShouldHaveSingleItem().Partner.ShouldBe("SSDC");

        var toMvd = Recorded(3, distribution: new Distribution(Distribution.NamedPartners, ["MVD"]));
        var only = Decide(toMvd).ShouldHaveSingleItem();
        only.Partner.ShouldBe("MVD");
        ((SeizureShared)only.Message).Distribution.Partners.ShouldBe(["MVD"]);
    }

    [Theory]
    [InlineData("H2")]
    [InlineData("H3")]
    public void a_partners_record_under_h2_or_h3_is_not_passed_on_to_a_third_partner(string handling)
    {
        var fromSsdc = Received(15, handling);
        Decide(fromSsdc).ShouldBeEmpty(); // neither to MVD nor back to SSDC
        SeizureSharing.Shareable(fromSsdc, NodeAgency, Policy("MVD", PartnerPolicy.All, false), out var reason).ShouldBeFalse();
        reason.ShouldBe($"a partner's record under {handling} is not passed on");
    }

    [Theory]
    [InlineData("H0")]
    [InlineData("H1")]
    public void a_partners_record_under_h0_or_h1_goes_on_to_a_third_partner_but_never_back_to_its_origin(string handling)
    {
        var fromSsdc = Received(12, handling, originVersion: 5);
        var onward = Decide(fromSsdc).ShouldHaveSingleItem();
        onward.Partner.ShouldBe("MVD");
        var m = onward.Message.ShouldBeOfType<SeizureShared>();
        // Still the origin's record: its agency, reference, version and handling code, not this node's.
        (m.OriginAgency, m.OriginReference, m.OriginVersion, m.HandlingCode, m.PolicyId).ShouldBe(("SSDC", "SSDC-2015-000012", 5L, handling, "MOU-SSEP-MVD"));

        // Even when SSDC is the only partner: nothing goes back to the origin.
        Decide(fromSsdc, Options(Policy("SSDC", PartnerPolicy.All, true))).ShouldBeEmpty();
    }

    [Fact]
    public void a_partners_record_named_for_this_node_only_is_not_passed_on()
    {
        var fromSsdc = Received(14, "H0", distribution: new Distribution(Distribution.NamedPartners, ["SSEP"]));
        Decide(fromSsdc).ShouldBeEmpty();
    }

    [Fact]
    public void the_penitentiary_facilities_policy_skips_seizures_without_a_facility()
    {
        var options = Options(Policy("SSDC", PartnerPolicy.PenitentiaryFacilities, false), Policy("MVD", PartnerPolicy.All, false));
        var roadside = Recorded(3, facility: null, location: new SeizureLocation(42.873, 74.6, "KG-C", false));
        Decide(roadside, options).ShouldHaveSingleItem().Partner.ShouldBe("MVD");
        Decide(Recorded(1), options).Select(o => o.Partner).ShouldBe(["SSDC", "MVD"], ignoreOrder: true);
    }

    [Fact]
    public void a_record_sent_before_and_now_voided_is_withdrawn_from_those_who_had_it()
    {
        var s = Recorded(8);
        var voided = s.With(new SeizureVoided(s.Id, ReasonNamingAPerson, Clerk, Now));

        var outgoing = Decide(voided, sent: SentTo(voided, "SSDC"));
        var withdrawn = outgoing.ShouldHaveSingleItem().Message.ShouldBeOfType<SeizureWithdrawn>(); // MVD never had it: nothing
        outgoing[0].Partner.ShouldBe("SSDC");
        (withdrawn.OriginAgency, withdrawn.OriginId, withdrawn.OriginVersion, withdrawn.Reason, withdrawn.PolicyId)
            .ShouldBe(("SSEP", s.Id, 2L, "voided", "MOU-SSEP-SSDC"));

        // Once withdrawn, not again.
        var ledger = SentTo(voided, "SSDC");
        ledger["SSDC"].Withdrawn = true;
        Decide(voided, sent: ledger).ShouldBeEmpty();
    }

    [Fact]
    public void a_partners_record_that_becomes_unshareable_is_withdrawn_from_the_third_partner()
    {
        // SSDC's record came under H1 and went on to MVD; its next version is H2: MVD must take it out.
        var record = Received(18, "H1", originVersion: 3);
        Decide(record).ShouldHaveSingleItem().Partner.ShouldBe("MVD");

        record.With(new PartnerSeizureReceived(record.Id, "SSDC", record.Reference, 4, "H2", Distribution.Everyone, "MOU-SSEP-SSDC", Shared(), Now));
        var withdrawn = Decide(record, sent: SentTo(record, "MVD")).ShouldHaveSingleItem();
        withdrawn.Partner.ShouldBe("MVD");
        var m = withdrawn.Message.ShouldBeOfType<SeizureWithdrawn>();
        (m.OriginAgency, m.OriginVersion, m.Reason).ShouldBe(("SSDC", 4L, "a partner's record under H2 is not passed on"));
    }

    [Fact]
    public void a_partners_record_withdrawn_at_its_origin_is_withdrawn_onward()
    {
        var record = Received(17, "H1");
        record.With(new PartnerSeizureWithdrawn(record.Id, "SSDC", 4, "voided", Now));
        var m = Decide(record, sent: SentTo(record, "MVD")).ShouldHaveSingleItem().Message.ShouldBeOfType<SeizureWithdrawn>();
        (m.OriginAgency, m.OriginVersion, m.Reason).ShouldBe(("SSDC", 4L, "voided"));
    }
}
