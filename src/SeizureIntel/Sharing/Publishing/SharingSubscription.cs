using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using JasperFx.Events;
using Marten;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Seizures;
using Wolverine.Marten.Subscriptions;
using Wolverine;

namespace SeizureIntel.Sharing.Publishing;

/// <summary>
/// Sharing follows committed events: a Marten subscription (run by the async daemon, in order, on one node of a cluster)
/// reads every committed change to a seizure or a joint operation, a page at a time, and turns the records' states after
/// it into partner messages. The messages go through Wolverine's durable outbox in the same transaction as the
/// subscription's progress and the share ledger, so each change is shared once, and a change that was refused or rolled
/// back (412, 409, a crash) was never committed and sends nothing. A page of many changes (an import, a partner's backlog)
/// is shared in one transaction, each record once at its latest version.
/// </summary>
public sealed class SharingSubscription : BatchSubscription
{
    public const string Name = "Sharing";

    private readonly SharingOptions _sharing;
    private readonly NodeIdentity _identity;
    private readonly TimeProvider _time;

    public SharingSubscription(SharingOptions sharing, NodeIdentity identity, TimeProvider time) : base(Name)
    {
        _sharing = sharing;
        _identity = identity;
        _time = time;
        foreach (var type in EventTypes) IncludeType(type);
        // After an import the daemon hands over up to a page of changes at a time: its messages are written to the outbox
        // with the subscription's progress in one transaction and flushed to the partners together.
        Options.BatchSize = sharing.PublishPageSize;
        Options.MaximumHopperSize = Math.Max(Options.MaximumHopperSize, 4 * sharing.PublishPageSize);
    }

    /// <summary>The events of seizure and operation streams: the changes there are to share.</summary>
    public static IEnumerable<Type> EventTypes => typeof(SharingSubscription).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } &&
                    (typeof(ISeizureEvent).IsAssignableFrom(t) || typeof(IOperationEvent).IsAssignableFrom(t) || t == typeof(PartnerOperationReceived)));

    public override async Task ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations,
        IMessageBus bus, CancellationToken token)
    {
        var now = _time.GetUtcNow();
        var seizures = page.Events.Where(e => e.Data is ISeizureEvent).Select(e => e.StreamId).Distinct().ToArray();
        if (seizures.Length > 0) await ShareSeizuresAsync(seizures, operations, bus, now, token);
        foreach (var changes in page.Events.Where(e => e.Data is IOperationEvent or PartnerOperationReceived).GroupBy(e => e.StreamId))
            await ShareOperationAsync(changes.Key, changes.ToList(), operations, bus, now, token);
    }

    private async Task ShareSeizuresAsync(Guid[] ids, IDocumentOperations operations, IMessageBus bus, DateTimeOffset now, CancellationToken token)
    {
        var partners = _sharing.Partners.Select(p => p.Agency.ToUpperInvariant()).ToList();
        var seizures = await operations.LoadManyAsync<Seizure>(token, ids);
        // One round trip for what every partner was sent of every record in the page.
        var ledger = (await operations.LoadManyAsync<ShareLedgerEntry>(token,
            seizures.SelectMany(s => partners.Select(p => ShareLedgerEntry.IdFor(p, s.Id))).ToArray())).ToDictionary(e => e.Id);
        var records = partners.ToDictionary(p => p, _ => new List<SeizureShared>());
        foreach (var seizure in seizures)
        {
            var sentBefore = partners.Select(p => ledger.GetValueOrDefault(ShareLedgerEntry.IdFor(p, seizure.Id))).OfType<ShareLedgerEntry>()
                .ToDictionary(e => e.Partner);
            foreach (var (partner, message) in SeizureSharing.Decide(seizure, _identity.Agency, _sharing, sentBefore, now))
            {
                if (message is SeizureShared record) records[partner].Add(record);
                else await bus.EndpointFor(SharingOptions.EndpointOf(partner)).SendAsync(message);
                var entry = sentBefore.GetValueOrDefault(partner) ?? new ShareLedgerEntry
                {
                    Id = ShareLedgerEntry.IdFor(partner, seizure.Id), Partner = partner, RecordId = seizure.Id, OriginAgency = seizure.Agency,
                };
                entry.SentVersion = SeizureSharing.VersionAtOrigin(seizure);
                entry.SentAt = now;
                entry.Withdrawn = message is Contracts.SeizureWithdrawn;
                operations.Store(entry);
            }
        }
        // A page's records go to each partner many in one message (a single record keeps its own shape): a few envelopes to
        // store, send and settle per page instead of one per record, which is what bounds the rate on either transport.
        foreach (var (partner, list) in records)
        {
            var endpoint = bus.EndpointFor(SharingOptions.EndpointOf(partner));
            if (list.Count == 1) await endpoint.SendAsync(list[0]);
            else
                foreach (var chunk in list.Chunk(Math.Clamp(_sharing.RecordsPerMessage, 1, Receiving.ReceiveSharedRecordsHandler.ManyInOneLimit)))
                {
                    if (chunk.Length == 1) await endpoint.SendAsync(chunk[0]);
                    else await endpoint.SendAsync(new SeizuresShared(SeizureShared.CurrentSchemaVersion, chunk, ContractVersion.Minor));
                }
        }
    }

    /// <summary>
    /// An operation's participants get its state after the page's changes; an agency that one of them removed gets one last
    /// update, the state of the change that removed it (<see cref="OperationSharing.Decide(JointOperation?, JointOperation, string, SharingOptions, DateTimeOffset)"/>),
    /// unless a later change in the page lists it again.
    /// </summary>
    private async Task ShareOperationAsync(Guid id, IReadOnlyList<IEvent> changes, IDocumentOperations operations, IMessageBus bus, DateTimeOffset now,
        CancellationToken token)
    {
        if (await operations.LoadAsync<JointOperation>(id, token) is not { } current) return;
        var outgoing = OperationSharing.Decide(current, _identity.Agency, _sharing, now);
        foreach (var left in changes.Where(e => e.Data is AgencyLeft l && !current.Agencies.Contains(l.Agency)))
        {
            var leaver = ((AgencyLeft)left.Data).Agency;
            var before = await operations.Events.AggregateStreamAsync<JointOperation>(id, version: left.Version - 1, token: token);
            var after = await operations.Events.AggregateStreamAsync<JointOperation>(id, version: left.Version, token: token);
            outgoing.AddRange(OperationSharing.Decide(before, after!, _identity.Agency, _sharing, now).Where(o => o.Partner == leaver));
        }

        var ledger = (await operations.LoadManyAsync<ShareLedgerEntry>(token,
            outgoing.Select(o => ShareLedgerEntry.IdFor(o.Partner, id)).Distinct().ToArray())).ToDictionary(e => e.Partner);
        foreach (var (partner, message) in outgoing)
        {
            await bus.EndpointFor(SharingOptions.EndpointOf(partner)).SendAsync(message);
            var entry = ledger.GetValueOrDefault(partner) ?? new ShareLedgerEntry
            {
                Id = ShareLedgerEntry.IdFor(partner, id), Partner = partner, RecordId = id, OriginAgency = _identity.Agency,
            };
            entry.SentVersion = ((Contracts.JointOperationShared)message).OriginVersion;
            entry.SentAt = now;
            ledger[partner] = entry;
            operations.Store(entry);
        }
    }
}
