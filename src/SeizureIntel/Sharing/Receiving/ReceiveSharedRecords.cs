using Marten;
using SeizureIntel.Agencies;
using SeizureIntel.Calendar;
using SeizureIntel.Contracts;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Sharing.Publishing;
using Wolverine;

namespace SeizureIntel.Sharing.Receiving;

/// <summary>A shared message this node refuses to apply; Wolverine moves it to the dead letters with this reason.</summary>
public sealed class InvalidSharedMessage(string reason) : Exception(reason);

/// <summary>What a received message must satisfy before anything of it is applied.</summary>
public sealed class SharedMessageChecks(NodeIdentity node, ReferenceData reference, FacilityCatalog facilities)
{
    private string? OriginProblem(int schemaVersion, string? origin, Guid id, long version, string? policyId)
    {
        if (schemaVersion != SeizureShared.CurrentSchemaVersion) return $"schemaVersion {schemaVersion} is not supported (this node reads {SeizureShared.CurrentSchemaVersion})";
        if (!KnownAgencies.IsKnown(origin)) return $"originAgency '{origin}' is not a known agency";
        if (origin == node.Agency) return "originAgency is this node's own agency";
        if (id == Guid.Empty) return "originId is empty";
        if (version < 1) return "originVersion must be at least 1";
        if (string.IsNullOrWhiteSpace(policyId)) return "policyId is missing";
        return null;
    }

    public void Check(SeizureShared m)
    {
        var problem = OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
            ?? (string.IsNullOrWhiteSpace(m.OriginReference) ? "originReference is missing" : null)
            ?? (!HandlingCodes.All.Contains(m.HandlingCode) ? $"handlingCode '{m.HandlingCode}' is not H0–H3" : null)
            ?? (m.Distribution is null || !Distribution.Scopes.Contains(m.Distribution.Scope) ? "distribution.scope is not valid" : null)
            ?? (!m.Distribution!.Allows(node.Agency) ? $"distribution {m.Distribution.Scope} does not include {node.Agency}" : null)
            ?? SeizureProblem(m.Seizure);
        if (problem is not null) throw new InvalidSharedMessage($"SeizureShared {m.OriginAgency}/{m.OriginId} v{m.OriginVersion}: {problem}");
    }

    public void Check(SeizureWithdrawn m)
    {
        var problem = OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
            ?? (string.IsNullOrWhiteSpace(m.Reason) ? "reason is missing" : null);
        if (problem is not null) throw new InvalidSharedMessage($"SeizureWithdrawn {m.OriginAgency}/{m.OriginId}: {problem}");
    }

    /// <summary>
    /// A state that no longer lists this node's agency is not refused: it is the origin's last update to an agency that
    /// left (applied like any newer version, it shows the agency left and takes the operation out of our year figures).
    /// </summary>
    public void Check(JointOperationShared m)
    {
        var o = m.Operation;
        var problem = OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
            ?? (o is null ? "operation is missing" : null)
            ?? (string.IsNullOrWhiteSpace(o!.CodeName) ? "operation.codeName is missing" : null)
            ?? (!o.Agencies.Contains(o.LeadAgency) ? "operation.leadAgency is not a participant" : null)
            ?? (!Enum.TryParse<Operations.OperationStatus>(o.Status, ignoreCase: true, out _) ? $"operation.status '{o.Status}' is not known" : null)
            ?? (o.Arrests.Any(a => a.Count < 1) ? "operation.arrests counts must be positive" : null);
        if (problem is not null) throw new InvalidSharedMessage($"JointOperationShared {m.OriginAgency}/{m.OriginId}: {problem}");
    }

    private string? SeizureProblem(SharedSeizure? s)
    {
        if (s is null) return "seizure is missing";
        if (reference.FindCode(ReferenceData.Substances, s.Substance) is null) return $"seizure.substance '{s.Substance}' is not a known code";
        if (reference.FindCode(ReferenceData.DetectionMethods, s.Detection) is null) return $"seizure.detection '{s.Detection}' is not a known code";
        if (s.Quantity is null || s.Quantity.Value <= 0 || reference.FindCode(ReferenceData.Units, s.Quantity.Unit) is null) return "seizure.quantity is not a positive value in a known unit";
        if (s.FacilityId is not null && facilities.Resolve(s.FacilityId) is null) return $"seizure.facilityId '{s.FacilityId}' is not a known facility";
        if (s.FacilityId is null && s.Location is null) return "seizure has neither facilityId nor location";
        if (!SeizureStatus.All.Contains(s.Status)) return $"seizure.status '{s.Status}' is not {string.Join(", ", SeizureStatus.All)}";
        if (s.Lab is { NetWeightGrams: <= 0 }) return "seizure.lab.netWeightGrams must be positive";
        return LocalCalendar.IsKnownZone(s.TimeZone) ? null : $"seizure.timeZone '{s.TimeZone}' is unknown";
    }
}

/// <summary>
/// Applies partners' records to this node's own store, keyed by the origin's id: only a newer version changes anything,
/// so duplicates and late arrivals are harmless. Every message is answered with a receipt. What may go on to a third
/// agency (a record under H0/H1) goes on by the sharing subscription, like every other committed change.
/// </summary>
public static class ReceiveSharedRecordsHandler
{
    public static async Task Handle(SeizureShared message, IDocumentSession session, IMessageBus bus, SharedMessageChecks checks, SharingOptions sharing, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        checks.Check(message);
        var stream = await session.Events.FetchForWriting<Seizure>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is not null && (!current.Received || current.Agency != message.OriginAgency))
            throw new InvalidSharedMessage($"SeizureShared {message.OriginAgency}/{message.OriginId}: the id belongs to a record of {current.Agency} here");

        var now = time.GetUtcNow();
        var outcome = ShareReceipt.AlreadyApplied;
        var applied = current?.OriginVersion ?? 0;
        if (applied < message.OriginVersion)
        {
            var received = new PartnerSeizureReceived(message.OriginId, message.OriginAgency, message.OriginReference, message.OriginVersion,
                message.HandlingCode, message.Distribution, message.PolicyId, message.Seizure, now);
            stream.AppendOne(received);
            outcome = ShareReceipt.Applied;
            applied = message.OriginVersion;
        }
        await ReceiptAsync(bus, sharing, node, message.OriginAgency, message.OriginId, applied, outcome, now);
    }

    public static async Task Handle(SeizureWithdrawn message, IDocumentSession session, IMessageBus bus, SharedMessageChecks checks, SharingOptions sharing, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        checks.Check(message);
        var stream = await session.Events.FetchForWriting<Seizure>(message.OriginId, token);
        var current = stream.Aggregate;
        var now = time.GetUtcNow();
        if (current is null || !current.Received || current.Agency != message.OriginAgency)
        {
            // Nothing of it here (it never reached us, or was never shareable with us): nothing to take out.
            await ReceiptAsync(bus, sharing, node, message.OriginAgency, message.OriginId, message.OriginVersion, ShareReceipt.AlreadyApplied, now);
            return;
        }
        var outcome = ShareReceipt.AlreadyApplied;
        if (current.OriginVersion < message.OriginVersion)
        {
            var withdrawn = new PartnerSeizureWithdrawn(message.OriginId, message.OriginAgency, message.OriginVersion, message.Reason, now);
            stream.AppendOne(withdrawn);
            outcome = ShareReceipt.Applied;
        }
        await ReceiptAsync(bus, sharing, node, message.OriginAgency, message.OriginId, Math.Max(current.OriginVersion, message.OriginVersion), outcome, now);
    }

    /// <summary>
    /// A partner's joint operation we take part in (or have just left): kept read-only in our store, newer versions only.
    /// The event names our agency, so the copy knows whether that version still lists us.
    /// </summary>
    public static async Task Handle(JointOperationShared message, IDocumentSession session, IMessageBus bus, SharedMessageChecks checks,
        SharingOptions sharing, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        checks.Check(message);
        var stream = await session.Events.FetchForWriting<Operations.JointOperation>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is not null && (!current.Received || current.OriginAgency != message.OriginAgency))
            throw new InvalidSharedMessage($"JointOperationShared {message.OriginAgency}/{message.OriginId}: the id belongs to an operation of {current.OriginAgency ?? node.Agency} here");
        var now = time.GetUtcNow();
        var outcome = ShareReceipt.AlreadyApplied;
        var applied = current?.OriginVersion ?? 0;
        if (applied < message.OriginVersion)
        {
            stream.AppendOne(new Operations.PartnerOperationReceived(message.OriginId, message.OriginAgency, message.OriginVersion, message.PolicyId,
                message.Operation, now, node.Agency));
            outcome = ShareReceipt.Applied;
            applied = message.OriginVersion;
        }
        await ReceiptAsync(bus, sharing, node, message.OriginAgency, message.OriginId, applied, outcome, now);
    }

    /// <summary>The origin learns what was applied. Partners without a policy here get no receipt (no route to them).</summary>
    private static async Task ReceiptAsync(IMessageBus bus, SharingOptions sharing, NodeIdentity node, string origin, Guid id, long version,
        string outcome, DateTimeOffset now)
    {
        if (sharing.PolicyFor(origin) is null) return;
        await bus.EndpointFor(SharingOptions.EndpointOf(origin))
            .SendAsync(new ShareReceipt(SeizureShared.CurrentSchemaVersion, node.Agency, origin, id, version, outcome, now));
    }

    /// <summary>The partner confirms a version: the sender's ledger entry for that partner and record moves on.</summary>
    public static async Task Handle(ShareReceipt receipt, IDocumentSession session, TimeProvider time, CancellationToken token)
    {
        var entry = await session.LoadAsync<ShareLedgerEntry>(ShareLedgerEntry.IdFor(receipt.ReceiverAgency, receipt.OriginId), token);
        if (entry is null || receipt.AppliedVersion <= entry.AckedVersion) return;
        entry.AckedVersion = receipt.AppliedVersion;
        entry.AckedAt = time.GetUtcNow();
        session.Store(entry);
    }
}
