using Wolverine.Attributes;

namespace SeizureIntel.Contracts;

// Integration messages between agency nodes. This folder depends on nothing else of the node: partners build against the
// schemas, and the node's features (seizures, operations, sharing) all depend on it, never the other way round. Each
// message's wire name is pinned with [MessageIdentity] (it was once its CLR name and nodes in the field send that name).
// Their JSON Schemas (2020-12) are in schemas/sharing/v1/; a change that
// would break a reader of a published version needs a new version. Persons never appear in them: no user names,
// custodians, witnesses or analysts; free-text notes only when the partner's policy allows.

/// <summary>
/// The contract's version: <c>schemaVersion</c> is the major version (a reader refuses a major it does not read) and
/// <c>schemaMinor</c> the compatible additions within it (absent: 0). A reader accepts a newer minor of its major: the
/// fields it does not know are ignored, everything it knows is checked as strictly as ever.
/// </summary>
public static class ContractVersion
{
    public const int Major = 1;

    /// <summary>1: relayedBy (who passed a partner's record on), the refused receipt with its reason.</summary>
    public const int Minor = 1;
}

/// <summary>Europol-style handling codes: H0 evidence use allowed; H1 not as evidence without consent; H2 no further dissemination without permission; H3 other restrictions.</summary>
public static class HandlingCodes
{
    public static readonly string[] All = ["H0", "H1", "H2", "H3"];
    public const string Default = "H2";

    /// <summary>A partner's record may be passed on to a third agency only under H0 or H1.</summary>
    public static bool AllowsOnwardSharing(string code) => code is "H0" or "H1";
}

/// <summary>Who may see a record: its own agency only, named partners, or all partners.</summary>
public sealed record Distribution(string Scope, IReadOnlyList<string> Partners)
{
    public const string OwnAgency = "own-agency";
    public const string NamedPartners = "named-partners";
    public const string AllPartners = "all-partners";
    public static readonly string[] Scopes = [OwnAgency, NamedPartners, AllPartners];
    public static readonly Distribution Everyone = new(AllPartners, []);

    public bool Allows(string partner) => Scope switch
    {
        AllPartners => true,
        NamedPartners => Partners.Contains(partner, StringComparer.OrdinalIgnoreCase),
        _ => false,
    };
}

public sealed record SharedLocation(double Lat, double Lon, string? Oblast, bool CrossBorder);
public sealed record SharedCircumstances(string? Place, string? Entry, string? Concealment, string? Possession);
public sealed record SharedLabResult(string Lab, string ConfirmedSubstance, decimal NetWeightGrams, decimal? PurityPercent, DateOnly ReportDate);
public sealed record SharedRecordRef(string Agency, Guid Id);

/// <summary>A quantity as recorded: value and unit code (g, kg, ml, l, tablets, units, plants).</summary>
public sealed record SharedQuantity(decimal Value, string Unit);

/// <summary>The shareable snapshot of a seizure (event-carried state): enough to count it, nothing personal.</summary>
public sealed record SharedSeizure(
    string? FacilityId,
    SharedLocation? Location,
    string? Oblast,
    DateTimeOffset OccurredAt,
    DateOnly LocalDate,
    string TimeZone,
    string Substance,
    SharedQuantity Quantity,
    string Detection,
    SharedCircumstances Circumstances,
    string? Notes,
    SharedLabResult? Lab,
    string Status,
    SharedRecordRef? DuplicateOf,
    bool Demo);

/// <summary>A partner's seizure, as of one version of its stream at its origin.</summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.SeizureShared")]
public sealed record SeizureShared(
    int SchemaVersion,
    string OriginAgency,
    Guid OriginId,
    string OriginReference,
    long OriginVersion,
    string HandlingCode,
    Distribution Distribution,
    string PolicyId,
    DateTimeOffset SharedAt,
    SharedSeizure Seizure,
    int? SchemaMinor = null,
    string? RelayedBy = null)
{
    public const int CurrentSchemaVersion = ContractVersion.Major;
}

/// <summary>The record was voided at its origin, or is no longer shareable with this partner: take it out.</summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.SeizureWithdrawn")]
public sealed record SeizureWithdrawn(
    int SchemaVersion,
    string OriginAgency,
    Guid OriginId,
    long OriginVersion,
    string Reason,
    string PolicyId,
    DateTimeOffset WithdrawnAt,
    int? SchemaMinor = null,
    string? RelayedBy = null);

/// <summary>The partner has applied (or already had) version N of a record, or refused it (with the reason).</summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.ShareReceipt")]
public sealed record ShareReceipt(
    int SchemaVersion,
    string ReceiverAgency,
    string OriginAgency,
    Guid OriginId,
    long AppliedVersion,
    string Outcome,
    DateTimeOffset ReceivedAt,
    int? SchemaMinor = null,
    string? Reason = null)
{
    public const string Applied = "applied";
    public const string AlreadyApplied = "already-applied";

    /// <summary>The receiver refused the message (it was dead-lettered there, nothing of it applied); <see cref="Reason"/> says why.</summary>
    public const string Refused = "refused";
}

/// <summary>
/// Many partners' records in one message: what a sender's page of changes holds for one partner (after an import, a
/// backlog), each record exactly as a <see cref="SeizureShared"/> of its own. The receiver checks and applies each on its
/// own (the newest version per origin record wins, as for single messages) and refuses only the ones that fail.
/// </summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.SeizuresShared")]
public sealed record SeizuresShared(
    int SchemaVersion,
    IReadOnlyList<SeizureShared> Records,
    int? SchemaMinor = null);

/// <summary>Many receipts in one message: the receiver's answers to one applied batch, each as a <see cref="ShareReceipt"/> of its own.</summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.ShareReceipts")]
public sealed record ShareReceipts(
    int SchemaVersion,
    IReadOnlyList<ShareReceipt> Receipts,
    int? SchemaMinor = null);

/// <summary>A seizure linked to a shared joint operation: by reference only (the seizure itself travels on its own).</summary>
public sealed record SharedOperationSeizure(string Agency, Guid Id, string Reference);
public sealed record SharedArrests(int Count, IReadOnlyList<string> Charges);
public sealed record SharedCase(string CaseNumber, string Agency, DateOnly? OpenedOn);

/// <summary>The shareable state of a joint operation: no persons (planners, officers) and no free-text notes.</summary>
public sealed record SharedOperation(
    string CodeName,
    string LeadAgency,
    IReadOnlyList<string> Agencies,
    IReadOnlyList<string> TargetFacilities,
    string Status,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    string LegalBasis,
    DateTimeOffset? LaunchedAt,
    DateOnly? LaunchDate,
    DateTimeOffset? ConcludedAt,
    DateTimeOffset? CancelledAt,
    IReadOnlyList<SharedOperationSeizure> Seizures,
    IReadOnlyList<SharedArrests> Arrests,
    IReadOnlyList<SharedCase> Cases);

/// <summary>A joint operation, as of one version of its stream at the node that planned it; sent to its participants only.</summary>
[MessageIdentity("SeizureIntel.Sharing.Contracts.JointOperationShared")]
public sealed record JointOperationShared(
    int SchemaVersion,
    string OriginAgency,
    Guid OriginId,
    long OriginVersion,
    string PolicyId,
    DateTimeOffset SharedAt,
    SharedOperation Operation,
    int? SchemaMinor = null);
