using Marten;
using JasperFx.Events;
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
using Wolverine.Util;
using Wolverine.Runtime;
using Wolverine.Runtime.Batching;
using Wolverine.Runtime.Handlers;
using Wolverine.ErrorHandling;
using System.Runtime.CompilerServices;
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

    /// <summary>The partner whose channel a message of a batch came on; null when it is no partner's channel.</summary>
    public string? ChannelOf(Envelope envelope) => sharing.PartnerOfChannel(node.Agency, envelope.Destination);

    /// <summary>Why a message on no partner's channel is refused.</summary>
    public string NoChannel(Envelope envelope, object message) =>
        $"{message.GetType().Name}: arrived on {envelope.Destination?.ToString() ?? "an unknown channel"}, which is no partner's channel to {node.Agency}";

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
/// so duplicates and late arrivals are harmless. Records arrive in batches (<see cref="SharingSetup"/>: Wolverine's
/// <c>BatchMessagesOf</c>, many messages per transaction, in the order the channel delivered them): one round trip
/// fetches every stream of a batch for writing, one commit appends what is new, and every record is answered with one
/// receipt for the version it now has here, all sent from that same transaction. A message that fails its checks is
/// answered with a refusal and dead-lettered with its reason on its own; the rest of its batch is applied.
/// What may go on to a third agency (a record under H0/H1) goes on by the sharing subscription, like every other change.
/// </summary>
public static class ReceiveSharedRecordsHandler
{
    /// <summary>
    /// A batch that fails for a reason other than a refused message (a lost race at commit, a timeout on a busy
    /// database) is tried again, as a whole, with growing pauses: dead-lettering it would refuse hundreds of good records.
    /// </summary>
    public static void Configure(HandlerChain chain)
    {
        if (!chain.MessageType.IsArray && chain.MessageType != typeof(SeizuresShared) && chain.MessageType != typeof(ShareReceipts))
        {
            // Messages arrive several at a time: two versions of one operation may race at commit (the first two of a new
            // operation both start its stream here: a stream id collision); the loser goes again and finds the other's.
            chain.OnException<JasperFx.ConcurrencyException>().Or<Marten.Exceptions.StreamLockedException>()
                .Or<Marten.Exceptions.ExistingStreamIdCollisionException>()
                .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
            return;
        }
        chain.ExecutionTimeoutInSeconds = 600;
        chain.OnException(e => e is not InvalidSharedMessage, "not a refused message")
            .RetryWithCooldown(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15),
                TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
    }

    public static Task Handle(SeizureShared[] messages, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token) =>
        ApplyAsync(BatchMembers.Of(messages, envelope), session, bus, runtime, checks, node, time, token);

    /// <summary>
    /// Many records in one message (a sender's page for this partner): each record is checked against its own schema and
    /// rules, refused on its own when it fails (a refusal receipt, and a dead letter of its own carrying its raw JSON), and the
    /// rest applied in this one transaction exactly as a batch of single messages is.
    /// </summary>
    public static async Task Handle(SeizuresShared message, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, ManyInOneGate gate, CancellationToken token)
    {
        using var turn = await gate.EnterAsync(token);
        var members = await ManyInOneAsync(message, message.Records, "records", envelope, runtime, checks, node, time);
        await ApplyAsync(members, session, bus, runtime, checks, node, time, token);
    }

    private static async Task ApplyAsync(List<(SeizureShared Message, Envelope Member)> members, IDocumentSession session, IMessageBus bus,
        IWolverineRuntime runtime, SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var good = new List<(SeizureShared Message, string Channel)>();
        // The checks (schema, origin, field rules) are most of a batch's cost and touch nothing shared: a large batch is
        // checked on every core; refusals and appends then follow one by one, in the batch's order.
        var verdicts = new (string? Channel, string? Problem)[members.Count];
        void Check(int i)
        {
            var (message, member) = members[i];
            var channel = checks.ChannelOf(member);
            verdicts[i] = (channel, channel is null ? checks.NoChannel(member, message) : checks.Problem(message, channel, member));
        }
        if (members.Count >= 32) Parallel.For(0, members.Count, new ParallelOptions { CancellationToken = token }, Check);
        else for (var i = 0; i < members.Count; i++) Check(i);
        for (var i = 0; i < members.Count; i++)
        {
            var (message, member) = members[i];
            var what = $"SeizureShared {message.OriginAgency}/{message.OriginId} v{message.OriginVersion}";
            var (channel, problem) = verdicts[i];
            if (problem is null) good.Add((message, channel!));
            else await RefuseAsync(runtime, bus, node, member, channel, message.OriginAgency, message.OriginId, message.OriginVersion, $"{what}: {problem}", now);
        }
        if (good.Count == 0) return;

        var (streams, withdrawnEarlier) = await FetchAsync(session, good.Select(g => (g.Message.OriginAgency, g.Message.OriginId)), token);
        var answered = new Dictionary<Guid, (string Channel, string Origin, long Version, string Outcome)>();
        foreach (var (message, channel) in good)
        {
            var stream = streams[message.OriginId];
            var current = stream.Aggregate;
            if (current is not null && (!current.Received || current.Agency != message.OriginAgency))
            {
                await RefuseAsync(runtime, bus, node, members.Member(message), channel, message.OriginAgency, message.OriginId, message.OriginVersion,
                    $"SeizureShared {message.OriginAgency}/{message.OriginId} v{message.OriginVersion}: the id belongs to a record of {current.Agency} here", now);
                continue;
            }
            // Newest version wins, also between messages of one batch: what was appended earlier in it counts as applied.
            // A withdrawal that overtook the record's first arrival counts as a version held here: an older share of it
            // changes nothing (it would show a record its origin has taken back).
            var held = Math.Max(current?.OriginVersion ?? 0, withdrawnEarlier.GetValueOrDefault(WithdrawnBeforeArrival.IdFor(message.OriginAgency, message.OriginId))?.OriginVersion ?? 0);
            var applied = answered.TryGetValue(message.OriginId, out var before) ? before.Version : held;
            var outcome = before.Outcome ?? ShareReceipt.AlreadyApplied;
            if (applied < message.OriginVersion)
            {
                stream.AppendOne(new PartnerSeizureReceived(message.OriginId, message.OriginAgency, message.OriginReference, message.OriginVersion,
                    message.HandlingCode, message.Distribution, message.PolicyId, message.Seizure, now));
                outcome = ShareReceipt.Applied;
                applied = message.OriginVersion;
            }
            answered[message.OriginId] = (channel, message.OriginAgency, applied, outcome);
        }
        await ReceiptsAsync(bus, node, answered, now);
    }

    public static async Task Handle(SeizureWithdrawn[] messages, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var members = BatchMembers.Of(messages, envelope);
        var good = new List<(SeizureWithdrawn Message, string Channel)>();
        foreach (var (message, member) in members)
        {
            var channel = checks.ChannelOf(member);
            var problem = channel is null ? checks.NoChannel(member, message) : checks.Problem(message, channel, member);
            if (problem is null) good.Add((message, channel!));
            else await RefuseAsync(runtime, bus, node, member, channel, message.OriginAgency, message.OriginId, message.OriginVersion,
                $"SeizureWithdrawn {message.OriginAgency}/{message.OriginId}: {problem}", now);
        }
        if (good.Count == 0) return;

        var (streams, notes) = await FetchAsync(session, good.Select(g => (g.Message.OriginAgency, g.Message.OriginId)), token);
        var answered = new Dictionary<Guid, (string Channel, string Origin, long Version, string Outcome)>();
        foreach (var (message, channel) in good)
        {
            var current = streams[message.OriginId].Aggregate;
            if (current is null || !current.Received || current.Agency != message.OriginAgency)
            {
                // Nothing of the sender's here to take out. When nothing at all is here, it was never shareable with us or
                // the withdrawal overtook its share (batches of records and of withdrawals run apart, and a batch may be
                // retried): the version is remembered, so that the share, if it comes later and is older, is not applied.
                if (current is null) WithdrawnBeforeArrival.Remember(session, notes, message, now);
                if (!answered.ContainsKey(message.OriginId))
                    answered[message.OriginId] = (channel, message.OriginAgency, message.OriginVersion, ShareReceipt.AlreadyApplied);
                continue;
            }
            var applied = answered.TryGetValue(message.OriginId, out var before) ? before.Version : current.OriginVersion;
            var outcome = before.Outcome ?? ShareReceipt.AlreadyApplied;
            if (applied < message.OriginVersion)
            {
                streams[message.OriginId].AppendOne(new PartnerSeizureWithdrawn(message.OriginId, message.OriginAgency, message.OriginVersion, message.Reason, now));
                outcome = ShareReceipt.Applied;
            }
            answered[message.OriginId] = (channel, message.OriginAgency, Math.Max(applied, message.OriginVersion), outcome);
        }
        await ReceiptsAsync(bus, node, answered, now);
    }

    /// <summary>
    /// A partner's joint operation we take part in (or have just left): kept read-only in our store, newer versions only.
    /// The event names our agency, so the copy knows whether that version still lists us. Operations are few: one per
    /// transaction.
    /// </summary>
    public static async Task Handle(JointOperationShared message, Envelope envelope, IDocumentSession session, IMessageBus bus, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, CancellationToken token)
    {
        var channel = checks.Channel(envelope, message);
        var now = time.GetUtcNow();
        var what = $"JointOperationShared {message.OriginAgency}/{message.OriginId}";
        if (checks.Problem(message, channel, envelope) is { } problem)
            await RefuseAndThrowAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion, $"{what}: {problem}", now);
        var stream = await session.Events.FetchForWriting<Operations.JointOperation>(message.OriginId, token);
        var current = stream.Aggregate;
        if (current is not null && (!current.Received || current.OriginAgency != message.OriginAgency))
            await RefuseAndThrowAsync(runtime, node, channel, message.OriginAgency, message.OriginId, message.OriginVersion,
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
        await bus.EndpointFor(SharingOptions.EndpointOf(channel))
            .SendAsync(new ShareReceipt(SeizureShared.CurrentSchemaVersion, node.Agency, message.OriginAgency, message.OriginId, applied, outcome, now, ContractVersion.Minor));
    }

    /// <summary>
    /// Every record's stream of a batch fetched for writing (optimistic: a concurrent change fails the commit, and the batch
    /// is retried), and the withdrawals noted before those records arrived, in one round trip.
    /// </summary>
    private static async Task<(Dictionary<Guid, IEventStream<Seizure>> Streams, Dictionary<string, WithdrawnBeforeArrival> Notes)> FetchAsync(
        IDocumentSession session, IEnumerable<(string OriginAgency, Guid Id)> records, CancellationToken token)
    {
        var batch = session.CreateBatchQuery();
        var fetches = records.Select(r => r.Id).Distinct().Select(id => (id, fetch: batch.Events.FetchForWriting<Seizure>(id))).ToList();
        var notes = batch.LoadMany<WithdrawnBeforeArrival>().ById(records.Select(r => WithdrawnBeforeArrival.IdFor(r.OriginAgency, r.Id)).Distinct().ToArray());
        await batch.Execute(token);
        var streams = new Dictionary<Guid, IEventStream<Seizure>>(fetches.Count);
        foreach (var (id, fetch) in fetches) streams[id] = await fetch;
        return (streams, (await notes).ToDictionary(n => n.Id));
    }

    /// <summary>
    /// The partners that sent the batch learn what each record now has here: one receipt per record (its newest version,
    /// which is all the sender's ledger keeps), sent through the outbox of the transaction that applied them.
    /// </summary>
    private static async Task ReceiptsAsync(IMessageBus bus, NodeIdentity node, Dictionary<Guid, (string Channel, string Origin, long Version, string Outcome)> answered,
        DateTimeOffset now)
    {
        foreach (var perChannel in answered.GroupBy(a => a.Value.Channel))
        {
            var receipts = perChannel.Select(a => new ShareReceipt(SeizureShared.CurrentSchemaVersion, node.Agency, a.Value.Origin, a.Key, a.Value.Version,
                a.Value.Outcome, now, ContractVersion.Minor)).ToList();
            var endpoint = bus.EndpointFor(SharingOptions.EndpointOf(perChannel.Key));
            // One message for the lot (a single receipt keeps its own shape): one envelope to store, send and settle, not one per record.
            if (receipts.Count == 1) await endpoint.SendAsync(receipts[0]);
            else
                foreach (var chunk in receipts.Chunk(ManyInOneLimit))
                    await endpoint.SendAsync(new ShareReceipts(SeizureShared.CurrentSchemaVersion, chunk, ContractVersion.Minor));
        }
    }

    /// <summary>At most this many records or receipts go in one many-in-one message (the schemas' maxItems).</summary>
    public const int ManyInOneLimit = 5000;

    /// <summary>
    /// The elements of a many-in-one message as members of their own: each with an envelope that carries its raw JSON (for its
    /// schema check and its dead letter) and the channel the message came on. The message as a whole must match its own schema
    /// and carry as many elements as it says; otherwise it is refused as a whole.
    /// </summary>
    private static async Task<List<(T Message, Envelope Member)>> ManyInOneAsync<T>(object message, IReadOnlyList<T> elements, string property, Envelope envelope,
        IWolverineRuntime runtime, SharedMessageChecks checks, NodeIdentity node, TimeProvider time) where T : class
    {
        var what = message.GetType().Name;
        var channel = checks.ChannelOf(envelope);
        var problem = channel is null ? checks.NoChannel(envelope, message) : SharedMessageChecks.ContractProblem(envelope, message);
        var raw = envelope.Data is { Length: > 0 } data ? ContractSchemas.Elements(data, property) : null;
        if (problem is null && raw is not null && raw.Count != elements.Count) problem = $"{property} holds {raw.Count} elements, {elements.Count} read";
        if (problem is not null)
        {
            // Nothing of it is applied; the sender learns why, per record it named (when it named any), outside this
            // handler's transaction, which the refusal rolls back.
            if (channel is not null && message is SeizuresShared records)
            {
                var sender = new MessageBus(runtime).EndpointFor(SharingOptions.EndpointOf(channel));
                foreach (var r in records.Records ?? [])
                    await sender.SendAsync(Refusal(node, channel, r?.OriginAgency, r?.OriginId ?? Guid.Empty,
                        r?.OriginVersion ?? 1, $"{what}: {problem}", time.GetUtcNow()));
            }
            throw new InvalidSharedMessage($"{what}: {problem}");
        }
        return elements.Select((element, i) => (element, MemberOf(envelope, element, raw?[i], i))).ToList();
    }

    /// <summary>
    /// An envelope standing for one element of a many-in-one message: the channel and sender of the message, the element's own
    /// raw JSON and message type, and an id derived from the message's id and the element's place (so that a dead letter
    /// written again when the message is retried is the same dead letter).
    /// </summary>
    private static Envelope MemberOf(Envelope envelope, object element, byte[]? raw, int index)
    {
        var id = System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{envelope.Id}:{index}"));
        return new Envelope(element)
        {
            Id = new Guid(id),
            Data = raw,
            Destination = envelope.Destination,
            Source = envelope.Source,
            ContentType = envelope.ContentType,
            MessageType = element.GetType().ToMessageTypeName(), // the pinned wire name ([MessageIdentity])
            SentAt = envelope.SentAt,
            TenantId = envelope.TenantId,
        };
    }

    /// <summary>
    /// Refuses one message of a batch: the partner whose channel it came on (if any) gets a refusal receipt with the reason,
    /// and the message goes to this node's dead letters with the same reason, on its own; its batch goes on without it.
    /// </summary>
    private static async Task RefuseAsync(IWolverineRuntime runtime, IMessageBus bus, NodeIdentity node, Envelope member, string? channel, string? origin,
        Guid id, long version, string reason, DateTimeOffset now)
    {
        if (channel is not null) await bus.EndpointFor(SharingOptions.EndpointOf(channel)).SendAsync(Refusal(node, channel, origin, id, version, reason, now));
        await BatchMembers.DeadLetterAsync(runtime, member, new InvalidSharedMessage(reason));
    }

    private static ShareReceipt Refusal(NodeIdentity node, string channel, string? origin, Guid id, long version, string reason, DateTimeOffset now) =>
        new(SeizureShared.CurrentSchemaVersion, node.Agency, KnownAgencies.IsKnown(origin) ? origin! : channel, id,
            Math.Max(1, version), ShareReceipt.Refused, now, ContractVersion.Minor, reason.Length > 2000 ? reason[..2000] : reason);

    /// <summary>
    /// Refuses a message handled on its own: the partner that sent it gets a refusal receipt with the reason (sent outside
    /// this handler's transaction, which the refusal rolls back), and the message goes to the dead letters with the same reason.
    /// </summary>
    private static async Task RefuseAndThrowAsync(IWolverineRuntime runtime, NodeIdentity node, string channel, string? origin, Guid id, long version,
        string reason, DateTimeOffset now)
    {
        await new MessageBus(runtime).EndpointFor(SharingOptions.EndpointOf(channel)).SendAsync(Refusal(node, channel, origin, id, version, reason, now));
        throw new InvalidSharedMessage(reason);
    }

    /// <summary>
    /// Partners confirm (or refuse) versions, in batches: the sender's ledger entries for those records move on, loaded
    /// and stored in one transaction. A receipt that does not come from the partner it names, on that partner's channel,
    /// is forged: dead-lettered on its own, and moves nothing.
    /// </summary>
    public static Task Handle(ShareReceipt[] receipts, Envelope envelope, IDocumentSession session, IWolverineRuntime runtime, SharedMessageChecks checks,
        TimeProvider time, ReceiptTurns turns, CancellationToken token) =>
        ApplyReceiptsAsync(BatchMembers.Of(receipts, envelope), session, runtime, checks, time, turns, token);

    /// <summary>Many receipts in one message: each checked on its own (a forged one dead-lettered on its own), the rest applied as a batch.</summary>
    public static async Task Handle(ShareReceipts message, Envelope envelope, IDocumentSession session, IWolverineRuntime runtime,
        SharedMessageChecks checks, NodeIdentity node, TimeProvider time, ManyInOneGate gate, ReceiptTurns turns, CancellationToken token)
    {
        List<(ShareReceipt Message, Envelope Member)> members;
        using (await gate.EnterAsync(token))
            members = await ManyInOneAsync(message, message.Receipts, "receipts", envelope, runtime, checks, node, time);
        await ApplyReceiptsAsync(members, session, runtime, checks, time, turns, token);
    }

    /// <summary>
    /// Moves the ledger entries on, one batch of receipts at a time, committed before the next batch loads them: two
    /// batches loading the same entry side by side would each store what it loaded, and the one committed last could
    /// put an older acknowledged version back (a record shown pending for ever).
    /// </summary>
    private static async Task ApplyReceiptsAsync(List<(ShareReceipt Message, Envelope Member)> members, IDocumentSession session, IWolverineRuntime runtime,
        SharedMessageChecks checks, TimeProvider time, ReceiptTurns turns, CancellationToken token)
    {
        using (await turns.EnterAsync(token))
        {
            await MoveLedgerAsync(members, session, runtime, checks, time, token);
            await session.SaveChangesAsync(token);
        }
    }

    private static async Task MoveLedgerAsync(List<(ShareReceipt Message, Envelope Member)> members, IDocumentSession session, IWolverineRuntime runtime,
        SharedMessageChecks checks, TimeProvider time, CancellationToken token)
    {
        var good = new List<ShareReceipt>();
        foreach (var (receipt, member) in members)
        {
            var channel = checks.ChannelOf(member);
            var problem = channel is null ? checks.NoChannel(member, receipt) : checks.Problem(receipt, channel, member);
            if (problem is null) good.Add(receipt);
            else await BatchMembers.DeadLetterAsync(runtime, member,
                new InvalidSharedMessage($"ShareReceipt {receipt.ReceiverAgency}/{receipt.OriginId} v{receipt.AppliedVersion}: {problem}"));
        }
        if (good.Count == 0) return;

        var entries = (await session.LoadManyAsync<ShareLedgerEntry>(token,
            good.Select(r => ShareLedgerEntry.IdFor(r.ReceiverAgency, r.OriginId)).Distinct().ToArray())).ToDictionary(e => e.Id);
        var changed = new HashSet<string>();
        var now = time.GetUtcNow();
        foreach (var receipt in good)
        {
            if (!entries.TryGetValue(ShareLedgerEntry.IdFor(receipt.ReceiverAgency, receipt.OriginId), out var entry)) continue;
            if (receipt.Outcome == ShareReceipt.Refused)
            {
                if (receipt.AppliedVersion < entry.RefusedVersion) continue;
                entry.RefusedVersion = receipt.AppliedVersion;
                entry.RefusedReason = receipt.Reason;
            }
            else
            {
                if (receipt.AppliedVersion <= entry.AckedVersion) continue;
                entry.AckedVersion = receipt.AppliedVersion;
            }
            entry.AckedAt = now;
            changed.Add(entry.Id);
        }
        foreach (var id in changed) session.Store(entries[id]);
    }
}

/// <summary>
/// Lets a few many-in-one messages be applied at once (<see cref="SharingOptions.ManyInOneInParallel"/>); the others wait
/// before they open a connection. The commit follows the handler, outside the gate.
/// </summary>
public sealed class ManyInOneGate(int parallel)
{
    private readonly SemaphoreSlim _turns = new(Math.Max(1, parallel));

    public async Task<IDisposable> EnterAsync(CancellationToken token)
    {
        await _turns.WaitAsync(token);
        return new Turn(_turns);
    }

    private sealed class Turn(SemaphoreSlim turns) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) turns.Release();
        }
    }
}

/// <summary>One batch of partners' receipts at a time moves this node's share ledger (<c>ApplyReceiptsAsync</c>).</summary>
public sealed class ReceiptTurns
{
    private readonly ManyInOneGate _one = new(1);

    public Task<IDisposable> EnterAsync(CancellationToken token) => _one.EnterAsync(token);
}

/// <summary>
/// The member envelopes of a Wolverine batch: each message's own channel and raw data, and where it goes when refused.
/// Wolverine's batch envelope keeps its members to itself, so the batcher (<see cref="MemberKeepingBatcher{T}"/>) notes
/// each message's envelope as it groups them.
/// </summary>
internal static class BatchMembers
{
    private static readonly ConditionalWeakTable<object, Envelope> Envelopes = new();

    public static void Note(Envelope member)
    {
        if (member.Message is { } message) Envelopes.AddOrUpdate(message, member);
    }

    /// <summary>Each message of the batch with the envelope it arrived in (the batch's own envelope when none was noted, as when run directly).</summary>
    public static List<(T Message, Envelope Member)> Of<T>(T[] messages, Envelope batch) where T : class =>
        messages.Select(m => (m, Envelopes.TryGetValue(m, out var member) ? member : batch)).ToList();

    public static Envelope Member<T>(this List<(T Message, Envelope Member)> members, T message) where T : class =>
        members.First(m => ReferenceEquals(m.Message, message)).Member;

    /// <summary>Moves one member to this node's dead letters (with the reason as its exception), leaving the rest of its batch to be applied.</summary>
    public static async Task DeadLetterAsync(IWolverineRuntime runtime, Envelope member, Exception reason)
    {
        try
        {
            await runtime.Storage.Inbox.MoveToDeadLetterStorageAsync(member, reason);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Dead-lettered already (its batch is being tried again): the refusal stands either way.
            runtime.LoggerFactory.CreateLogger(typeof(BatchMembers)).LogWarning(e, "Could not dead-letter {Id}: {Reason}", member.Id, reason.Message);
        }
    }
}

/// <summary>Wolverine's own grouping (by tenant, into a <typeparamref name="T"/>[]), noting each member's envelope for the handler.</summary>
public sealed class MemberKeepingBatcher<T> : IMessageBatcher
{
    public IEnumerable<Envelope> Group(IReadOnlyList<Envelope> envelopes)
    {
        foreach (var group in envelopes.GroupBy(e => e.TenantId))
        {
            foreach (var member in group) BatchMembers.Note(member);
            yield return new Envelope(group.Select(e => e.Message).OfType<T>().ToArray(), group) { TenantId = group.Key };
        }
    }

    public Type BatchMessageType => typeof(T[]);
}
