using Marten;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Sharing.Contracts;
using Wolverine;

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
                outgoing.Add(new Outgoing(partner, Snapshot(seizure, policy, now)));
            else if (sentBefore.TryGetValue(partner, out var entry) && !entry.Withdrawn)
                outgoing.Add(new Outgoing(partner, new SeizureWithdrawn(SeizureShared.CurrentSchemaVersion, seizure.Agency, seizure.Id,
                    VersionAtOrigin(seizure), reason!, policy.PolicyId, now)));
        }
        return outgoing;
    }

    /// <summary>The version a partner compares: the origin's own stream version (for a passed-on record, the origin's).</summary>
    public static long VersionAtOrigin(Seizure seizure) => seizure.Received ? seizure.OriginVersion : seizure.Version;

    public static SeizureShared Snapshot(Seizure s, PartnerPolicy policy, DateTimeOffset now)
    {
        var lab = s.LatestLabResult;
        var status = s.Voided ? "voided" : s.DuplicateOf is not null ? "duplicate" : "counted";
        var duplicateOf = s.DuplicateOfRecord ?? (s.DuplicateOf is { } d ? new SharedRecordRef(s.Agency, d) : null);
        return new SeizureShared(SeizureShared.CurrentSchemaVersion, s.Agency, s.Id, s.Reference, VersionAtOrigin(s), s.HandlingCode,
            s.Distribution, policy.PolicyId, now,
            new SharedSeizure(s.FacilityId,
                s.Location is { } l ? new SharedLocation(l.Lat, l.Lon, l.Oblast, l.CrossBorder) : null,
                s.Oblast, s.OccurredAt, s.LocalDate, s.TimeZone, s.Substance, s.Quantity, s.Detection,
                new SharedCircumstances(s.Circumstances.Place, s.Circumstances.Entry, s.Circumstances.Concealment, s.Circumstances.Possession),
                policy.AllowNotes ? s.Notes : null,
                lab is null ? null : new SharedLabResult(lab.Lab, lab.ConfirmedSubstance, lab.NetWeightGrams, lab.PurityPercent, lab.ReportDate),
                status, duplicateOf, s.Demo));
    }
}

/// <summary>
/// Sends what <see cref="SeizureSharing"/> decides through Wolverine's durable outbox: the messages are stored in the
/// same transaction as the seizure's events and leave only after it commits.
/// </summary>
public sealed class SharingOutbox(NodeOptions node, NodeIdentity identity, TimeProvider time)
{
    public bool Enabled => node.Sharing.Enabled;

    /// <summary>Sends a new joint operation to its participating partners.</summary>
    public Task ShareAsync(Operations.JointOperation operation, IDocumentSession session, IMessageBus bus, CancellationToken token) =>
        ShareAsync(null, operation, session, bus, token);

    /// <summary>
    /// Sends a joint operation's state after a change to its participating partners, and to a partner the change
    /// removed (its last update; see <see cref="OperationSharing.Decide(Operations.JointOperation?, Operations.JointOperation, string, SharingOptions, DateTimeOffset)"/>).
    /// </summary>
    public async Task ShareAsync(Operations.JointOperation? before, Operations.JointOperation operation, IDocumentSession session, IMessageBus bus,
        CancellationToken token)
    {
        if (!Enabled) return;
        var now = time.GetUtcNow();
        var outgoing = OperationSharing.Decide(before, operation, identity.Agency, node.Sharing, now);
        if (outgoing.Count == 0) return;
        // One round trip for every participant's ledger entry, as for seizures.
        var ledger = (await session.LoadManyAsync<ShareLedgerEntry>(token,
            outgoing.Select(o => ShareLedgerEntry.IdFor(o.Partner, operation.Id)).ToArray())).ToDictionary(e => e.Partner);
        foreach (var (partner, message) in outgoing)
        {
            await bus.EndpointFor(SharingOptions.EndpointOf(partner)).SendAsync(message);
            var entry = ledger.GetValueOrDefault(partner) ?? new ShareLedgerEntry
            {
                Id = ShareLedgerEntry.IdFor(partner, operation.Id), Partner = partner, RecordId = operation.Id, OriginAgency = identity.Agency,
            };
            entry.SentVersion = operation.Version;
            entry.SentAt = now;
            session.Store(entry);
        }
    }

    public async Task ShareAsync(Seizure seizure, IDocumentSession session, IMessageBus bus, CancellationToken token)
    {
        if (!Enabled) return;
        var ids = node.Sharing.Partners.Select(p => ShareLedgerEntry.IdFor(p.Agency.ToUpperInvariant(), seizure.Id)).ToArray();
        var before = (await session.LoadManyAsync<ShareLedgerEntry>(token, ids)).ToDictionary(e => e.Partner);
        var now = time.GetUtcNow();
        foreach (var (partner, message) in SeizureSharing.Decide(seizure, identity.Agency, node.Sharing, before, now))
        {
            await bus.EndpointFor(SharingOptions.EndpointOf(partner)).SendAsync(message);
            var entry = before.GetValueOrDefault(partner) ?? new ShareLedgerEntry
            {
                Id = ShareLedgerEntry.IdFor(partner, seizure.Id), Partner = partner, RecordId = seizure.Id, OriginAgency = seizure.Agency,
            };
            entry.SentVersion = SeizureSharing.VersionAtOrigin(seizure);
            entry.SentAt = now;
            entry.Withdrawn = message is SeizureWithdrawn;
            session.Store(entry);
        }
    }
}
