using Marten;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing.Receiving;
using SeizureIntel.Contracts;
using Wolverine.Transports;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Batching;
using Wolverine.Marten;
using Wolverine.Postgresql.Transport;
using Wolverine.Postgresql;
using Wolverine.RabbitMQ;
using Wolverine;

namespace SeizureIntel.Sharing;

/// <summary>
/// Wolverine's side of sharing: one durable inbox queue per node, one named durable sending endpoint per partner,
/// over PostgreSQL queues (the default: no server beyond PostgreSQL) or RabbitMQ (agencies on separate machines).
/// The same handlers and the same outbox run on either; only this configuration differs.
/// </summary>
public static class SharingSetup
{
    /// <summary>
    /// The receivers' checks, and the subscription that turns committed changes into partner messages (only on a node
    /// with partners; a node that gains its first partner later shares its history from the start).
    /// </summary>
    public static void AddSharing(this WebApplicationBuilder builder, SharingOptions sharing, NodeIdentity node)
    {
        Validate(sharing, node);
        builder.Services.AddSingleton<SharedMessageChecks>();
        builder.Services.AddSingleton(new ManyInOneGate(sharing.ManyInOneInParallel));
        builder.Services.AddSingleton(new ReceiptTurns());
        // Applied with the rest of the schema (db-apply), not created on first use by a login that may not change it.
        builder.Services.ConfigureMarten(opts => opts.RegisterDocumentType<WithdrawnBeforeArrival>());
        builder.Services.AddSingleton(sharing);
        if (!sharing.Enabled) return;
        builder.Services.AddSingleton<SharingSubscription>();
        builder.Services.SubscribeToEventsWithServices<SharingSubscription>(ServiceLifetime.Singleton);
    }

    public static void ConfigureSharing(this WolverineOptions opts, SharingOptions sharing, NodeIdentity node)
    {
        // A message this node refuses (invalid, or contradicting its store) is dead-lettered with the reason at once.
        opts.OnException<InvalidSharedMessage>().MoveToErrorQueue();
        // Partners' records and receipts are applied in batches, many per transaction (ReceiveSharedRecordsHandler): a
        // batch goes as soon as BatchSize messages wait, or TriggerTime after the first, so a single record still
        // arrives within milliseconds. The listeners hand many messages at once to the batching (one at a time, each
        // waits for its batch: batches of one); records and withdrawals then run one batch after another on one queue.
        // Order between records is not kept; for one record the origin's version decides (an older one changes nothing).
        opts.BatchMessagesOf<SeizureShared>(b => Batching(b, sharing, SharedRecordsQueue, new MemberKeepingBatcher<SeizureShared>())).BufferedInMemory().Sequential();
        opts.BatchMessagesOf<SeizureWithdrawn>(b => Batching(b, sharing, SharedRecordsQueue, new MemberKeepingBatcher<SeizureWithdrawn>())).BufferedInMemory().Sequential();
        opts.BatchMessagesOf<ShareReceipt>(b => Batching(b, sharing, ReceiptsQueue, new MemberKeepingBatcher<ShareReceipt>())).BufferedInMemory().Sequential();
        if (!sharing.Enabled) return;

        var partners = sharing.Partners.Select(p => p.Agency.ToUpperInvariant()).ToList();
        switch (sharing.Transport)
        {
            case SharingOptions.Postgresql:
                // A partner back from an outage finds a backlog: take it a batch at a time, polling twice a second
                // (the defaults, 20 messages every 5 s, drain 1,000 records in over four minutes).
                foreach (var partner in partners)
                    opts.ListenToPostgresqlQueue(sharing.InboxOf(node.Agency, partner)).Named(SharingOptions.ListenerOf(partner))
                        .MaximumMessagesToReceive(sharing.ReceiveBatchSize).PollingInterval(TimeSpan.FromMilliseconds(500)).UseDurableInbox(InboxLimits(sharing)).MaximumParallelMessages(sharing.ReceiveBatchSize);
                // LISTEN/NOTIFY wakes the listener when a partner enqueues, instead of waiting for the next poll.
                opts.Transports.GetOrCreate<PostgresqlTransport>().EnableQueueNotifications = true;
                foreach (var partner in partners)
                    opts.Publish().ToPostgresqlQueue(sharing.InboxOf(partner, node.Agency)).Named(SharingOptions.EndpointOf(partner)).UseDurableOutbox();
                break;
            case SharingOptions.RabbitMq:
                var rabbit = opts.UseRabbitMq(f =>
                {
                    f.HostName = sharing.RabbitMqHost;
                    f.Port = sharing.RabbitMqPort;
                    f.VirtualHost = sharing.RabbitMqVirtualHost;
                    if (sharing.RabbitMqUserName.Length > 0) f.UserName = sharing.RabbitMqUserName;
                    if (sharing.RabbitMqPassword.Length > 0) f.Password = sharing.RabbitMqPassword;
                    if (sharing.RabbitMqTls) RabbitMqTls.Apply(f.Ssl, sharing);
                }).AutoProvision()
                    // Only the channels below: no reply queue of Wolverine's own, which an agency's broker user may not declare.
                    .DisableSystemRequestReplyQueueDeclaration()
                    // Refused messages go to this node's own dead-letter table with their reason, as on PostgreSQL,
                    // rather than to a broker-side queue nobody reads.
                    .CustomizeDeadLetterQueueing(new DeadLetterQueue($"{sharing.QueuePrefix}_dead_letters", DeadLetterQueueMode.WolverineStorage));
                // One channel per pair: the receiver's queue, fed only by an exchange of its own that only the partner may
                // publish to (the broker's permissions, see ops/rabbitmq). Publishing to a queue by the default exchange
                // cannot be limited per queue, so no node publishes there.
                foreach (var partner in partners)
                {
                    rabbit.DeclareExchange(sharing.ExchangeOf(node.Agency, partner), e =>
                    {
                        e.ExchangeType = ExchangeType.Fanout;
                        e.BindQueue(sharing.InboxOf(node.Agency, partner));
                    });
                    opts.ListenToRabbitQueue(sharing.InboxOf(node.Agency, partner)).Named(SharingOptions.ListenerOf(partner))
                        .PreFetchCount((ushort)Math.Min(ushort.MaxValue, 2 * sharing.ReceiveBatchSize)).UseDurableInbox(InboxLimits(sharing)).MaximumParallelMessages(sharing.ReceiveBatchSize);
                }
                foreach (var partner in partners)
                    opts.Publish().ToRabbitExchange(sharing.ExchangeOf(partner, node.Agency), e => e.ExchangeType = ExchangeType.Fanout)
                        .Named(SharingOptions.EndpointOf(partner)).UseDurableOutbox();
                break;
            default:
                throw new InvalidOperationException(
                    $"SeizureIntel:Sharing:Transport '{sharing.Transport}' is not one of none, postgresql, rabbitmq.");
        }
    }

    public const string SharedRecordsQueue = "shared-records";
    public const string ReceiptsQueue = "share-receipts";

    /// <summary>
    /// A listener stops taking messages while this many wait in its batches (and starts again at half): several full
    /// batches, so that one batch can be applied while the next are filled.
    /// </summary>
    private static BufferingLimits InboxLimits(SharingOptions sharing) => new(8 * sharing.ReceiveBatchSize, 4 * sharing.ReceiveBatchSize);

    private static void Batching(BatchingOptions batching, SharingOptions sharing, string queue, IMessageBatcher batcher)
    {
        // Wolverine's grouping, keeping each message's envelope: its channel and its raw JSON are checked one by one.
        batching.Batcher = batcher;
        batching.BatchSize = sharing.ReceiveBatchSize;
        batching.TriggerTime = TimeSpan.FromMilliseconds(sharing.ReceiveBatchMilliseconds);
        batching.LocalExecutionQueueName = queue;
    }

    /// <summary>Checks the partner policies at start-up: a misconfigured MOU must not silently share nothing (or too much).</summary>
    public static void Validate(SharingOptions sharing, NodeIdentity node)
    {
        RabbitMqTls.Validate(sharing);
        foreach (var p in sharing.Partners)
        {
            var agency = p.Agency.ToUpperInvariant();
            if (!KnownAgencies.IsKnown(agency)) throw new InvalidOperationException($"Sharing partner '{p.Agency}' is not a known agency.");
            if (agency == node.Agency) throw new InvalidOperationException($"Sharing partner '{p.Agency}' is this node's own agency.");
            if (string.IsNullOrWhiteSpace(p.PolicyId)) throw new InvalidOperationException($"Sharing partner {agency} has no PolicyId.");
            if (p.Records is not (PartnerPolicy.All or PartnerPolicy.PenitentiaryFacilities))
                throw new InvalidOperationException($"Sharing partner {agency}: Records must be '{PartnerPolicy.All}' or '{PartnerPolicy.PenitentiaryFacilities}'.");
        }
    }
}
