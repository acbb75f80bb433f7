using SeizureIntel.Contracts;
using SeizureIntel.Seizures;

namespace SeizureIntel.Sharing.Publishing;

/// <summary>What this node has sent a partner about one record, and what the partner acknowledged. Id: "{partner}:{record}".</summary>
public sealed class ShareLedgerEntry
{
    public string Id { get; set; } = "";
    public string Partner { get; set; } = "";
    public Guid RecordId { get; set; }
    public string OriginAgency { get; set; } = "";
    public long SentVersion { get; set; }
    public DateTimeOffset SentAt { get; set; }
    public long AckedVersion { get; set; }
    public DateTimeOffset? AckedAt { get; set; }
    public bool Withdrawn { get; set; }

    /// <summary>The latest version the partner refused (a refusal receipt), and why; 0 when none was refused.</summary>
    public long RefusedVersion { get; set; }
    public string? RefusedReason { get; set; }

    /// <summary>The version sent last was refused by the partner (not applied, not pending).</summary>
    public bool Refused => RefusedVersion >= SentVersion && SentVersion > 0;

    public static string IdFor(string partner, Guid record) => $"{partner}:{record}";
}

/// <summary>
/// The MOU's rules, as a pure function: for a seizure's state after a change, which message (if any) goes to each
/// partner. A record marked own-agency-only never leaves; a partner's record goes on only under H0/H1 and never back
/// to its origin; notes go only where the policy allows; persons never go.
/// </summary>
public static class SeizureSharing
{
    public sealed record Outgoing(string Partner, object Message);

    public static bool Shareable(Seizure seizure, string nodeAgency, PartnerPolicy policy, out string? reason)
    {
        reason = null;
        var partner = policy.Agency.ToUpperInvariant();
        if (seizure.Agency == partner) reason = "it is the partner's own record";
        else if (seizure.Received && !HandlingCodes.AllowsOnwardSharing(seizure.HandlingCode))
            reason = $"a partner's record under {seizure.HandlingCode} is not passed on";
        else if (seizure.Voided) reason = "voided";
        else if (!seizure.Distribution.Allows(partner)) reason = $"its distribution is {seizure.Distribution.Scope}";
        else if (policy.Records == PartnerPolicy.PenitentiaryFacilities && seizure.FacilityId is null)
            reason = "the policy shares seizures at penitentiary facilities only";
        return reason is null;
    }

    public static List<Outgoing> Decide(Seizure seizure, string nodeAgency, SharingOptions options,
        IReadOnlyDictionary<string, ShareLedgerEntry> sentBefore, DateTimeOffset now)
    {
        var outgoing = new List<Outgoing>();
        foreach (var policy in options.Partners)
        {
            var partner = policy.Agency.ToUpperInvariant();
            if (Shareable(seizure, nodeAgency, policy, out var reason))
                outgoing.Add(new Outgoing(partner, Snapshot(seizure, nodeAgency, policy, now)));
            else if (sentBefore.TryGetValue(partner, out var entry) && !entry.Withdrawn)
                outgoing.Add(new Outgoing(partner, new SeizureWithdrawn(SeizureShared.CurrentSchemaVersion, seizure.Agency, seizure.Id,
                    VersionAtOrigin(seizure), reason!, policy.PolicyId, now, ContractVersion.Minor, RelayerOf(seizure, nodeAgency))));
        }
        return outgoing;
    }

    /// <summary>The version a partner compares: the origin's own stream version (for a passed-on record, the origin's).</summary>
    public static long VersionAtOrigin(Seizure seizure) => seizure.Received ? seizure.OriginVersion : seizure.Version;

    /// <summary>A partner's record passed on says who passed it on (the receiver's channel is the relayer's, not the origin's).</summary>
    public static string? RelayerOf(Seizure seizure, string nodeAgency) => seizure.Received ? nodeAgency : null;

    public static SeizureShared Snapshot(Seizure s, string nodeAgency, PartnerPolicy policy, DateTimeOffset now)
    {
        var lab = s.LatestLabResult;
        var duplicateOf = s.DuplicateOfRecord ?? (s.DuplicateOf is { } d ? new SharedRecordRef(s.Agency, d) : null);
        return new SeizureShared(SeizureShared.CurrentSchemaVersion, s.Agency, s.Id, s.Reference, VersionAtOrigin(s), s.HandlingCode,
            s.Distribution, policy.PolicyId, now,
            new SharedSeizure(s.FacilityId,
                s.Location is { } l ? new SharedLocation(l.Lat, l.Lon, l.Oblast, l.CrossBorder) : null,
                s.Oblast, s.OccurredAt, s.LocalDate, s.TimeZone, s.Substance, new SharedQuantity(s.Quantity.Value, s.Quantity.Unit), s.Detection,
                new SharedCircumstances(s.Circumstances.Place, s.Circumstances.Entry, s.Circumstances.Concealment, s.Circumstances.Possession),
                policy.AllowNotes ? s.Notes : null,
                lab is null ? null : new SharedLabResult(lab.Lab, lab.ConfirmedSubstance, lab.NetWeightGrams, lab.PurityPercent, lab.ReportDate),
                s.Status, duplicateOf, s.Demo), ContractVersion.Minor, RelayerOf(s, nodeAgency));
    }
}
