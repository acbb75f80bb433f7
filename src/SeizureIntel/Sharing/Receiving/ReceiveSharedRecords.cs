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
using Wolverine.Runtime;
using System.Globalization;
using System.Text.Json;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Sharing.Receiving;

/// <summary>A shared message this node refuses to apply; Wolverine moves it to the dead letters with this reason.</summary>
public sealed class InvalidSharedMessage(string reason) : Exception(reason);

/// <summary>
/// What a received message must satisfy before anything of it is applied: it came on a partner's channel (a queue only
/// that partner may write to), it matches its published JSON Schema (schemas/sharing/v1; a newer minor of our major is
/// read, another major refused), its origin is that partner (or the partner says it relays a record it may pass on),
/// and its seizure passes the same field rules as the API's (<see cref="SeizureFields"/>: one place for the bounds).
/// </summary>
public sealed class SharedMessageChecks(NodeIdentity node, ReferenceData reference, FacilityCatalog facilities, SeizureFields fields,
    SharingOptions sharing, TimeProvider time)
{
    private static readonly JsonSerializerOptions Fallback = new(JsonSerializerDefaults.Web);

    /// <summary>The partner whose channel the message came on; a message on no partner's channel is refused.</summary>
    public string Channel(Envelope envelope, object message) =>
        sharing.PartnerOfChannel(node.Agency, envelope.Destination)
        ?? throw new InvalidSharedMessage($"{message.GetType().Name}: arrived on {envelope.Destination?.ToString() ?? "an unknown channel"}, which is no partner's channel to {node.Agency}");

    /// <summary>The message as it came over the wire, checked against its JSON Schema and the version rule.</summary>
    public static string? ContractProblem(Envelope envelope, object message) =>
        ContractSchemas.Problem(message.GetType(), envelope.Data is { Length: > 0 } data ? data : JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Fallback));

    /// <summary>The origin must be the channel's partner, unless that partner says it relays another agency's record.</summary>
    private string? ChannelProblem(string channel, string origin, string? relayedBy)
    {
        if (relayedBy is null)
            return origin == channel ? null : $"originAgency {origin} came on {channel}'s channel without relayedBy: a partner may send only its own records as their origin";
        if (relayedBy != channel) return $"relayedBy {relayedBy} came on {channel}'s channel";
        if (origin == channel) return $"relayedBy {relayedBy} names the origin itself";
        return null;
    }

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

    public string? Problem(SeizureShared m, string channel, Envelope envelope) =>
        ContractProblem(envelope, m)
        ?? OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
        ?? ChannelProblem(channel, m.OriginAgency, m.RelayedBy)
        ?? (m.RelayedBy is not null && !HandlingCodes.AllowsOnwardSharing(m.HandlingCode) ? $"relayed under {m.HandlingCode}: only H0 and H1 records may be passed on" : null)
        ?? (string.IsNullOrWhiteSpace(m.OriginReference) ? "originReference is missing" : null)
        ?? (!HandlingCodes.All.Contains(m.HandlingCode) ? $"handlingCode '{m.HandlingCode}' is not H0–H3" : null)
        ?? (m.Distribution is null || !Distribution.Scopes.Contains(m.Distribution.Scope) ? "distribution.scope is not valid" : null)
        ?? (!m.Distribution!.Allows(node.Agency) ? $"distribution {m.Distribution.Scope} does not include {node.Agency}" : null)
        ?? SeizureProblem(m.Seizure);

    public string? Problem(SeizureWithdrawn m, string channel, Envelope envelope) =>
        ContractProblem(envelope, m)
        ?? OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
        ?? ChannelProblem(channel, m.OriginAgency, m.RelayedBy)
        ?? (string.IsNullOrWhiteSpace(m.Reason) ? "reason is missing" : null);

    /// <summary>
    /// A state that no longer lists this node's agency is not refused: it is the origin's last update to an agency that
    /// left (applied like any newer version, it shows the agency left and takes the operation out of our year figures).
    /// Operations are never relayed: only the node that planned one sends it.
    /// </summary>
    public string? Problem(JointOperationShared m, string channel, Envelope envelope)
    {
        var o = m.Operation;
        return ContractProblem(envelope, m)
            ?? OriginProblem(m.SchemaVersion, m.OriginAgency, m.OriginId, m.OriginVersion, m.PolicyId)
            ?? ChannelProblem(channel, m.OriginAgency, null)
            ?? (o is null ? "operation is missing" : null)
            ?? (string.IsNullOrWhiteSpace(o!.CodeName) ? "operation.codeName is missing" : null)
            ?? (!o.Agencies.Contains(o.LeadAgency) ? "operation.leadAgency is not a participant" : null)
            ?? (!Enum.TryParse<Operations.OperationStatus>(o.Status, ignoreCase: true, out _) ? $"operation.status '{o.Status}' is not known" : null)
            ?? (o.Arrests.Any(a => a.Count < 1) ? "operation.arrests counts must be positive" : null);
    }

    /// <summary>A receipt must come from the partner it names, on that partner's channel: anything else is forged.</summary>
    public string? Problem(ShareReceipt r, string channel, Envelope envelope) =>
        ContractProblem(envelope, r)
        ?? (r.ReceiverAgency != channel ? $"receiverAgency {r.ReceiverAgency} came on {channel}'s channel: a partner may acknowledge only as itself" : null);

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
        if (!LocalCalendar.IsKnownZone(s.TimeZone)) return $"seizure.timeZone '{s.TimeZone}' is unknown";

        // The API's own field rules, so a bound added there holds for partners' records too.
        var problems = new Problems();
        fields.Quantity(problems, new QuantityInput(s.Quantity.Value, s.Quantity.Unit), required: true);
        fields.Notes(problems, s.Notes);
        SeizureFields.Instant(problems, "occurredAt", s.OccurredAt.ToString("O", CultureInfo.InvariantCulture), time.GetUtcNow(), required: true);
        if (s.Location is { } l) fields.Location(problems, new LocationInput(l.Lat, l.Lon), l.CrossBorder);
        return problems.Any
            ? string.Join("; ", problems.Errors.Select(e => $"seizure.{e.Key}: {string.Join(", ", e.Value)}"))
            : null;
    }
}

/// <summary>
/// Applies partners' records to this node's own store, keyed by the origin's id: only a newer version changes anything,
/// so duplicates and late arrivals are harmless. Every message is answered with a receipt. What may go on to a third
/// agency (a record under H0/H1) goes on by the sharing subscription, like every other committed change.
/// </summary>
public static class ReceiveSharedRecordsHandler
{
    public static async Task Handle(SeizureShared message, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var channel = checks.Channel(envelope, message);
        var now = time.GetUtcNow();
        var what = $"SeizureShared {message.OriginAgency}/{message.OriginId} v{message.OriginVersion}";
        if (checks.Problem(message, channel, envelope) is { } problem)
            await RefuseAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion, $"{what}: {problem}", now);
        var stream = await session.Events.FetchForWriting<Seizure>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is not null && (!current.Received || current.Agency != message.OriginAgency))
            await RefuseAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion,
                $"{what}: the id belongs to a record of {current.Agency} here", now);

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
        await ReceiptAsync(bus, node, channel, message.OriginAgency, message.OriginId, applied, outcome, now);
    }

    public static async Task Handle(SeizureWithdrawn message, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var channel = checks.Channel(envelope, message);
        var now = time.GetUtcNow();
        if (checks.Problem(message, channel, envelope) is { } problem)
            await RefuseAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion,
                $"SeizureWithdrawn {message.OriginAgency}/{message.OriginId}: {problem}", now);
        var stream = await session.Events.FetchForWriting<Seizure>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is null || !current.Received || current.Agency != message.OriginAgency)
        {
            // Nothing of it here (it never reached us, or was never shareable with us): nothing to take out.
            await ReceiptAsync(bus, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion, ShareReceipt.AlreadyApplied, now);
            return;
        }
        var outcome = ShareReceipt.AlreadyApplied;
        if (current.OriginVersion < message.OriginVersion)
        {
            var withdrawn = new PartnerSeizureWithdrawn(message.OriginId, message.OriginAgency, message.OriginVersion, message.Reason, now);
            stream.AppendOne(withdrawn);
            outcome = ShareReceipt.Applied;
        }
        await ReceiptAsync(bus, node, channel, message.OriginAgency, message.OriginId, Math.Max(current.OriginVersion, message.OriginVersion), outcome, now);
    }

    /// <summary>
    /// A partner's joint operation we take part in (or have just left): kept read-only in our store, newer versions only.
    /// The event names our agency, so the copy knows whether that version still lists us.
    /// </summary>
    public static async Task Handle(JointOperationShared message, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var channel = checks.Channel(envelope, message);
        var now = time.GetUtcNow();
        var what = $"JointOperationShared {message.OriginAgency}/{message.OriginId}";
        if (checks.Problem(message, channel, envelope) is { } problem)
            await RefuseAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion, $"{what}: {problem}", now);
        var stream = await session.Events.FetchForWriting<Operations.JointOperation>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is not null && (!current.Received || current.OriginAgency != message.OriginAgency))
            await RefuseAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion,
                $"{what}: the id belongs to an operation of {current.OriginAgency ?? node.Agency} here", now);
        var outcome = ShareReceipt.AlreadyApplied;
        var applied = current?.OriginVersion ?? 0;
        if (applied < message.OriginVersion)
        {
            stream.AppendOne(new Operations.PartnerOperationReceived(message.OriginId, message.OriginAgency, message.OriginVersion, message.PolicyId,
                message.Operation, now, node.Agency));
            outcome = ShareReceipt.Applied;
            applied = message.OriginVersion;
        }
        await ReceiptAsync(bus, node, channel, message.OriginAgency, message.OriginId, applied, outcome, now);
    }

    /// <summary>The partner that sent the message learns what was applied, on the same pair of channels.</summary>
    private static async Task ReceiptAsync(IMessageBus bus, NodeIdentity node, string channel, string origin, Guid id, long version,
        string outcome, DateTimeOffset now)
    {
        await bus.EndpointFor(SharingOptions.EndpointOf(channel))
            .SendAsync(new ShareReceipt(SeizureShared.CurrentSchemaVersion, node.Agency, origin, id, version, outcome, now, ContractVersion.Minor));
    }

    /// <summary>
    /// Refuses a message: the partner that sent it gets a refusal receipt with the reason (sent outside this handler's
    /// transaction, which the refusal rolls back), and the message goes to this node's dead letters with the same reason.
    /// </summary>
    private static async Task RefuseAsync(IWolverineRuntime runtime, NodeIdentity node, string channel, string? origin, Guid id, long version,
        string reason, DateTimeOffset now)
    {
        var receipt = new ShareReceipt(SeizureShared.CurrentSchemaVersion, node.Agency, KnownAgencies.IsKnown(origin) ? origin! : channel, id,
            Math.Max(1, version), ShareReceipt.Refused, now, ContractVersion.Minor, reason.Length > 2000 ? reason[..2000] : reason);
        await new MessageBus(runtime).EndpointFor(SharingOptions.EndpointOf(channel)).SendAsync(receipt);
        throw new InvalidSharedMessage(reason);
    }

    /// <summary>
    /// The partner confirms (or refuses) a version: the sender's ledger entry for that partner and record moves on. A
    /// receipt that does not come from the partner it names, on that partner's channel, is forged: dead-lettered.
    /// </summary>
    public static async Task Handle(ShareReceipt receipt, Envelope envelope, IDocumentSession session, SharedMessageChecks checks, TimeProvider time,
        CancellationToken token)
    {
        var channel = checks.Channel(envelope, receipt);
        if (checks.Problem(receipt, channel, envelope) is { } problem)
            throw new InvalidSharedMessage($"ShareReceipt {receipt.ReceiverAgency}/{receipt.OriginId} v{receipt.AppliedVersion}: {problem}");
        var entry = await session.LoadAsync<ShareLedgerEntry>(ShareLedgerEntry.IdFor(receipt.ReceiverAgency, receipt.OriginId), token);
        if (entry is null) return;
        if (receipt.Outcome == ShareReceipt.Refused)
        {
            if (receipt.AppliedVersion < entry.RefusedVersion) return;
            entry.RefusedVersion = receipt.AppliedVersion;
            entry.RefusedReason = receipt.Reason;
        }
        else
        {
            if (receipt.AppliedVersion <= entry.AckedVersion) return;
            entry.AckedVersion = receipt.AppliedVersion;
        }
        entry.AckedAt = time.GetUtcNow();
        session.Store(entry);
    }
}
