using SeizureIntel.Tests.Support;
using SeizureIntel.Calendar;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Custody;
using SeizureIntel.Seizures.Destruction;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>
/// Seizure states built from their events, as a node holds them, and partner policies, for the pure sharing tests.
/// Every person in them has a distinctive id containing <see cref="PersonMark"/>, so a test can prove none leaves.
/// </summary>
public static class SharingExamples
{
    public const string NodeAgency = "SSEP";
    public static readonly DateTimeOffset Now = new(2016, 1, 10, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Every person id below contains this; no outgoing message may.</summary>
    public const string PersonMark = "PERSON";
    public const string Officer = "officer-PERSON-1";
    public const string Keeper = "keeper-PERSON-2";
    public const string Analyst = "analyst-PERSON-3";
    public static readonly string[] Witnesses = ["witness-PERSON-4", "witness-PERSON-5"];
    public static readonly Actor Clerk = new("clerk-PERSON-6", NodeAgency);
    public const string ReasonNamingAPerson = "handed over by PERSON-7 of the night shift";
    public const string SealNumber = "SEAL-PERSON-8";
    public const string Notes = "NOTES-MARK: parcel for cell 12";

    public static readonly string[] People = [Officer, Keeper, Analyst, .. Witnesses, Clerk.User, "PERSON-7", SealNumber];

    // Partner policies, as the MOUs configure them.
    public static PartnerPolicy Policy(string agency, string records, bool notes) =>
        new() { Agency = agency, PolicyId = $"MOU-SSEP-{agency}", Records = records, AllowNotes = notes };

    public static SharingOptions Options(params PartnerPolicy[] partners) => new() { Transport = SharingOptions.Postgresql, Partners = [.. partners] };

    /// <summary>Several MOU set-ups of the SSEP node: which partner takes what, with notes or without.</summary>
    public static IReadOnlyList<(string Name, SharingOptions Options)> PolicySets { get; } =
    [
        ("ssdc-all-with-notes+mvd-penitentiary", Options(Policy("SSDC", PartnerPolicy.All, true), Policy("MVD", PartnerPolicy.PenitentiaryFacilities, false))),
        ("ssdc-penitentiary+mvd-all-with-notes", Options(Policy("SSDC", PartnerPolicy.PenitentiaryFacilities, false), Policy("MVD", PartnerPolicy.All, true))),
        ("ssdc-all+mvd-all", Options(Policy("SSDC", PartnerPolicy.All, false), Policy("MVD", PartnerPolicy.All, false))),
    ];

    private static Guid Id(int n) => Guid.Parse($"01950000-0000-7000-8000-{n:D12}");

    public static Seizure Recorded(int n, string? facility = "SIZO-1", SeizureLocation? location = null, string? oblast = "KG-C",
        string substance = "heroin", Quantity? quantity = null, string? notes = Notes, Circumstances? circumstances = null,
        string handling = "H2", Distribution? distribution = null, bool demo = false, string occurredAt = "2015-03-14T10:30:00+06:00")
    {
        var at = DateTimeOffset.Parse(occurredAt);
        var seizure = Seizure.Create(new SeizureRecorded(Id(n), NodeAgency, $"SSEP-2015-{n:D6}", facility, at,
            LocalCalendar.LocalDate(at), LocalCalendar.CountryTimeZone, substance,
            quantity ?? new Quantity(120m, "g"), "visitor-search", notes, Officer, at.AddMinutes(20), demo,
            circumstances ?? new Circumstances("visits", "visitor", "in-food", "visitor"), location, oblast, handling,
            distribution ?? Distribution.Everyone));
        seizure.Version = 1; // Marten sets the stream version on the snapshot; the first event is version 1.
        return seizure;
    }

    public static Seizure HandedOverAndAnalysed(Seizure s, decimal? purity, bool destroyed = false)
    {
        s.With(
            new CustodyTransferred(s.Id, Officer, Keeper, Now.AddDays(-300), SealNumber, ReasonNamingAPerson, "SIZO-1", Clerk, Now.AddDays(-300)),
            new EvidenceSubmittedToLab(s.Id, "SFC", "SFC-2015-17", Now.AddDays(-290), Clerk, Now.AddDays(-290)),
            new LabAnalysisReported(s.Id, "SFC", "SFC-2015-17", "heroin", 98.25m, purity, [new LabTechnique("GC-MS", "A")], Analyst,
                new DateOnly(2015, 4, 20), Clerk, Now.AddDays(-280)));
        if (destroyed) s.With(new EvidenceDestroyed(s.Id, "incineration", Witnesses, Now.AddDays(-100), "SIZO-1", Clerk, Now.AddDays(-100)));
        return s;
    }

    public static SharedSeizure Shared(string? facility = "IK-3", SharedLocation? location = null, string? notes = Notes,
        SharedLabResult? lab = null, string status = "counted", SharedRecordRef? duplicateOf = null) =>
        new(facility, location, location?.Oblast, DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1), "Asia/Bishkek",
            "cannabis-resin", new SharedQuantity(1.25m, "kg"), "cell-search", new SharedCircumstances("cell-block", null, "in-belongings", "inmate"),
            notes, lab, status, duplicateOf, false);

    /// <summary>A partner's (SSDC's) record as this node received it: version <paramref name="originVersion"/> under a handling code.</summary>
    public static Seizure Received(int n, string handling, SharedSeizure? seizure = null, long originVersion = 3, Distribution? distribution = null)
    {
        var s = Seizure.Create(new PartnerSeizureReceived(Id(n), "SSDC", $"SSDC-2015-{n:D6}", originVersion, handling,
            distribution ?? Distribution.Everyone, "MOU-SSEP-SSDC", seizure ?? Shared(), Now.AddDays(-1)));
        s.Version = 1;
        return s;
    }

    /// <summary>Varied states of seizures as the SSEP node holds them.</summary>
    public static IReadOnlyList<(string Name, Seizure Seizure)> States() =>
    [
        ("at-facility-with-notes", Recorded(1)),
        ("at-facility-named-partners-tablets", Recorded(2, facility: "IK-1", oblast: null, substance: "ecstasy", quantity: new Quantity(40m, "tablet"),
            notes: null, circumstances: Circumstances.None, handling: "H1", distribution: new Distribution(Distribution.NamedPartners, ["SSDC"]))),
        ("own-location-no-facility", Recorded(3, facility: null, location: new SeizureLocation(42.873, 74.6, "KG-C", false), substance: "cannabis-herb",
            quantity: new Quantity(2.5m, "kg"), handling: "H0")),
        ("own-location-cross-border", Recorded(4, facility: null, location: new SeizureLocation(43.238, 76.889, null, true), oblast: null,
            quantity: new Quantity(0.75m, "l"), substance: "cannabis-oil")),
        ("facility-and-own-location", Recorded(5, location: new SeizureLocation(42.88, 74.59, "KG-C", false))),
        ("corrected-handed-over-lab-result", HandedOverAndAnalysed(Recorded(6).With(new SeizureCorrected(Id(6), [], ReasonNamingAPerson, Clerk, Now.AddDays(-310),
            Quantity: new Quantity(100.5m, "g"), Place: "mail-room")), purity: 42.5m)),
        ("lab-result-without-purity-destroyed", HandedOverAndAnalysed(Recorded(7, notes: null), purity: null, destroyed: true)),
        ("voided", Recorded(8).With(new SeizureVoided(Id(8), ReasonNamingAPerson, Clerk, Now))),
        ("duplicate", Recorded(9).With(new SeizureMarkedDuplicate(Id(9), Id(1), "SSEP-2015-000001", ReasonNamingAPerson, Clerk, Now))),
        ("own-agency-only", Recorded(10, distribution: new Distribution(Distribution.OwnAgency, []))),
        ("demo", Recorded(11, facility: "KP-26", oblast: null, notes: null, demo: true, occurredAt: "2014-12-31T23:40:00+06:00")),
        ("received-h0-with-lab-duplicate", Received(12, "H0", Shared(lab: new SharedLabResult("SFC", "cannabis-resin", 1180.5m, 12m, new DateOnly(2015, 7, 2)),
            status: "duplicate", duplicateOf: new SharedRecordRef("SSEP", Id(1))))),
        ("received-h1-own-location", Received(13, "H1", Shared(facility: null, location: new SharedLocation(40.513, 72.8, "KG-O", false), notes: null))),
        ("received-h1-named-partners", Received(14, "H1", distribution: new Distribution(Distribution.NamedPartners, ["SSEP"]))),
        ("received-h2", Received(15, "H2")),
        ("received-h3", Received(16, "H3")),
        ("received-h1-then-withdrawn", Received(17, "H1").With(new PartnerSeizureWithdrawn(Id(17), "SSDC", 4, "voided", Now))),
    ];

    /// <summary>What a partner had been sent before: every partner except the record's own agency.</summary>
    public static Dictionary<string, ShareLedgerEntry> SentToAll(Seizure s, SharingOptions options) =>
        options.Partners.Select(p => p.Agency).Where(a => a != s.Agency)
            .ToDictionary(a => a, a => new ShareLedgerEntry { Id = ShareLedgerEntry.IdFor(a, s.Id), Partner = a, RecordId = s.Id, OriginAgency = s.Agency, SentVersion = 1 });

    public sealed record Produced(string Case, string Policies, bool SentBefore, string Partner, object Message, PartnerPolicy Policy);

    /// <summary>Every message the policy produces for every state, under every policy set, sent before or not.</summary>
    public static IReadOnlyList<Produced> AllOutgoing()
    {
        var all = new List<Produced>();
        foreach (var (name, seizure) in States())
        foreach (var (policies, options) in PolicySets)
        foreach (var sentBefore in new[] { false, true })
        {
            var before = sentBefore ? SentToAll(seizure, options) : [];
            foreach (var (partner, message) in SeizureSharing.Decide(seizure, NodeAgency, options, before, Now))
                all.Add(new Produced(name, policies, sentBefore, partner, message, options.PolicyFor(partner)!));
        }
        return all;
    }

    /// <summary>Receipts as the receiving handler writes them.</summary>
    public static IReadOnlyList<(string Name, ShareReceipt Receipt)> Receipts() =>
    [
        ("applied", new ShareReceipt(SeizureShared.CurrentSchemaVersion, "SSDC", "SSEP", Id(1), 3, ShareReceipt.Applied, Now)),
        ("already-applied", new ShareReceipt(SeizureShared.CurrentSchemaVersion, "SSEP", "SSDC", Id(12), 7, ShareReceipt.AlreadyApplied,
            Now.AddTicks(1234567))),
    ];
}
