namespace SeizureIntel.Sharing;

/// <summary>
/// How this node exchanges records with its partners (configuration section SeizureIntel:Sharing). Each partner
/// gets its own policy, taken from the MOU: which records go, whether free-text notes may go, the default handling
/// code. Nothing is shared with an agency that has no policy here.
/// </summary>
public sealed class SharingOptions
{
    public const string None = "none";
    public const string Postgresql = "postgresql";
    public const string RabbitMq = "rabbitmq";

    /// <summary>none, postgresql (Wolverine's PostgreSQL queues in a database the nodes share) or rabbitmq.</summary>
    public string Transport { get; set; } = None;

    /// <summary>Schema of the PostgreSQL queue tables, the same for every node on that database.</summary>
    public string QueueSchema { get; set; } = "wolverine_queues";

    /// <summary>Prefix of every queue name, so that separate installations (or test runs) on one server never meet.</summary>
    public string QueuePrefix { get; set; } = "seizureintel";

    public string RabbitMqHost { get; set; } = "127.0.0.1";
    public int RabbitMqPort { get; set; } = 5672;

    /// <summary>The broker's virtual host for this installation (ops/rabbitmq creates one with a user per agency).</summary>
    public string RabbitMqVirtualHost { get; set; } = "/";

    /// <summary>This agency's own broker user (never guest in a deployment); empty: the client library's default.</summary>
    public string RabbitMqUserName { get; set; } = "";
    public string RabbitMqPassword { get; set; } = "";

    /// <summary>Connect over TLS (AMQPS); the server's certificate must be valid for <see cref="RabbitMqTlsServerName"/>.</summary>
    public bool RabbitMqTls { get; set; }

    /// <summary>The name on the broker's certificate; empty: <see cref="RabbitMqHost"/>.</summary>
    public string RabbitMqTlsServerName { get; set; } = "";

    /// <summary>
    /// The CA (PEM, one or more certificates) the broker's certificate must chain to, e.g. the agencies' private CA; it
    /// replaces the operating system's trusted roots for this connection. Empty: the operating system's roots.
    /// Either way the certificate must also be valid for <see cref="RabbitMqTlsServerName"/> (never "accept any").
    /// </summary>
    public string RabbitMqTlsCaFile { get; set; } = "";

    /// <summary>
    /// This node's client certificate for mutual TLS (a broker with <c>ssl_options.fail_if_no_peer_cert</c>): a PKCS#12
    /// file (.pfx, .p12, with <see cref="RabbitMqTlsClientCertificatePassword"/>) or a PEM certificate whose key is in
    /// the same file or in <see cref="RabbitMqTlsClientKeyFile"/>. Empty: no client certificate.
    /// </summary>
    public string RabbitMqTlsClientCertificate { get; set; } = "";

    /// <summary>The PEM private key of a PEM <see cref="RabbitMqTlsClientCertificate"/>, when it is not in the certificate's file.</summary>
    public string RabbitMqTlsClientKeyFile { get; set; } = "";

    /// <summary>The password of a PKCS#12 <see cref="RabbitMqTlsClientCertificate"/>; empty: none.</summary>
    public string RabbitMqTlsClientCertificatePassword { get; set; } = "";

    public List<PartnerPolicy> Partners { get; set; } = [];

    /// <summary>
    /// At most this many partners' messages are applied in one transaction (and taken from a PostgreSQL queue per poll);
    /// a batch goes when it is full or <see cref="ReceiveBatchMilliseconds"/> after its first message.
    /// </summary>
    public int ReceiveBatchSize { get; set; } = 500;

    /// <summary>
    /// How long a batch collects before it goes: what a single record waits at most, and what lets a backlog form large
    /// batches (Wolverine forms them as messages arrive, whether or not the previous batch is still being applied).
    /// </summary>
    public int ReceiveBatchMilliseconds { get; set; } = 100;

    /// <summary>How many committed changes the sharing subscription turns into partner messages per page (one transaction, one outbox flush).</summary>
    public int PublishPageSize { get; set; } = 1000;

    /// <summary>
    /// At most this many records of a page go to a partner in one <c>SeizuresShared</c> message (and receipts likewise in one
    /// <c>ShareReceipts</c>): each message is one envelope in the outbox, on the wire and in the partner's inbox.
    /// </summary>
    public int RecordsPerMessage { get; set; } = 500;

    /// <summary>
    /// How many many-in-one messages (<c>SeizuresShared</c>, <c>ShareReceipts</c>) this node applies at once; the listener
    /// takes more, which wait here without holding a connection. On a small machine a few large transactions at a time get
    /// through a backlog faster than dozens competing for the same cores.
    /// </summary>
    public int ManyInOneInParallel { get; set; } = 2;

    public bool Enabled => Transport != None && Partners.Count > 0;

    /// <summary>
    /// The channel from <paramref name="sender"/> to <paramref name="receiver"/>: one queue per receiving node and partner,
    /// which only that partner may write to (grants, broker permissions), so the channel itself says who sent a message.
    /// </summary>
    public string InboxOf(string receiver, string sender) => $"{QueuePrefix}_{receiver}_from_{sender}".ToLowerInvariant();

    /// <summary>
    /// RabbitMQ: the exchange bound to <see cref="InboxOf"/> alone, the only way into that queue; the broker lets only
    /// <paramref name="sender"/>'s user publish to it (ops/rabbitmq).
    /// </summary>
    public string ExchangeOf(string receiver, string sender) => $"{InboxOf(receiver, sender)}_exchange";

    /// <summary>The name of this node's sending endpoint towards a partner.</summary>
    public static string EndpointOf(string agency) => $"partner-{agency.ToLowerInvariant()}";

    /// <summary>The name of this node's listening endpoint for a partner's channel.</summary>
    public static string ListenerOf(string agency) => $"from-{agency.ToLowerInvariant()}";

    /// <summary>The partner whose channel to <paramref name="receiver"/> a message arrived on (by its queue's address); null: none of ours.</summary>
    public string? PartnerOfChannel(string receiver, Uri? address)
    {
        if (address is null) return null;
        var text = address.ToString().TrimEnd('/');
        return Partners.Select(p => p.Agency.ToUpperInvariant())
            .FirstOrDefault(p => text.EndsWith("/" + InboxOf(receiver, p), StringComparison.OrdinalIgnoreCase));
    }

    public PartnerPolicy? PolicyFor(string agency) =>
        Partners.FirstOrDefault(p => string.Equals(p.Agency, agency, StringComparison.OrdinalIgnoreCase));
}

/// <summary>What the MOU lets one partner see.</summary>
public sealed class PartnerPolicy
{
    /// <summary>The partner agency: SSEP, SSDC or MVD.</summary>
    public string Agency { get; set; } = "";

    /// <summary>The agreement this policy implements, sent with every record (e.g. MOU-SSEP-SSDC).</summary>
    public string PolicyId { get; set; } = "";

    /// <summary>Which records go: <c>penitentiary-facilities</c> (seizures at a facility) or <c>all</c>.</summary>
    public string Records { get; set; } = PenitentiaryFacilities;

    /// <summary>Free-text notes go only when the MOU allows it; persons never go.</summary>
    public bool AllowNotes { get; set; }

    public const string PenitentiaryFacilities = "penitentiary-facilities";
    public const string All = "all";
}
