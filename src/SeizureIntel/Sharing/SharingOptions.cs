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

    public List<PartnerPolicy> Partners { get; set; } = [];

    public bool Enabled => Transport != None && Partners.Count > 0;

    /// <summary>The queue an agency's node listens on.</summary>
    public string InboxOf(string agency) => $"{QueuePrefix}_{agency}_inbox".ToLowerInvariant();

    /// <summary>The name of this node's sending endpoint towards a partner.</summary>
    public static string EndpointOf(string agency) => $"partner-{agency.ToLowerInvariant()}";

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
