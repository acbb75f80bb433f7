using SeizureIntel.Identity;

namespace SeizureIntel.Node;

/// <summary>
/// Who this node is and where its store lives. Bound from the "SeizureIntel" configuration section
/// (appsettings, environment variables such as SeizureIntel__Agency, or --SeizureIntel:Agency=SSDC).
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "SeizureIntel";

    /// <summary>The agency that runs this node: SSEP, SSDC or MVD.</summary>
    public string Agency { get; set; } = "SSEP";

    /// <summary>PostgreSQL connection string of this node's own database.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL schema holding this node's event store and read models.</summary>
    public string Schema { get; set; } = "seizureintel";

    /// <summary>Loopback port the HTTP API listens on; 0 leaves the choice to ASP.NET Core (--urls).</summary>
    public int Port { get; set; }

    /// <summary>Load the synthetic demo data set at start-up (only when asked; ops/run asks).</summary>
    public bool LoadDemoData { get; set; }

    /// <summary>Version of the quantity conversion table to derive masses with; empty: the latest published one.</summary>
    public string? ConversionTableVersion { get; set; }

    /// <summary>
    /// A conversion table set to read instead of the published one embedded in the binary (relative paths are taken
    /// from the binary's folder); empty: the published tables. For trying a draft version, and for tests.
    /// </summary>
    public string? ConversionTablesFile { get; set; }

    /// <summary>What this node shares with which partner, and over which transport (see README, "Sharing").</summary>
    public Sharing.SharingOptions Sharing { get; set; } = new();

    /// <summary>Who issues the tokens the node accepts: itself (default) or an external provider (see README, "Sign-in").</summary>
    public Identity.NodeAuthenticationOptions Authentication { get; set; } = new();
    /// <summary>
    /// The earliest year a seizure or any other dated input may name (see Pipeline/Bounds.cs); 1991 by default, the year
    /// Kyrgyzstan became independent.
    /// </summary>
    public int EarliestYear { get; set; } = Pipeline.Bounds.DefaultEarliestYear;

    /// <summary>When /health turns degraded (SeizureIntel:Health:MaxEventsBehind, StuckAfterSeconds, MaxDeadLetters, PartnerUnreachableMinutes).</summary>
    public HealthOptions Health { get; set; } = new();

    /// <summary>Requests per client (SeizureIntel:RateLimit:Burst and :PermitsPerSecond; Burst 0 turns the limit off).</summary>
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// Compare the store's and the message storage's schema with the code at start-up and apply what differs (default).
    /// False for a production node whose schema is applied at deployment (<c>SeizureIntel db-apply</c>): it starts faster
    /// (see README, "Start-up") and never changes the schema itself.
    /// </summary>
    public bool SchemaChecksAtStart { get; set; } = true;

    /// <summary>
    /// Load Wolverine's handler code generated ahead of time (compiled into Release builds from Internal/Generated) where it
    /// exists, generating only the rest at run time (default); false generates everything at run time (Node/GeneratedCode.cs).
    /// </summary>
    public bool PregeneratedCode { get; set; } = true;

    /// <summary>Where <c>codegen write</c> writes the generated code (ops/codegen: the project's Internal/Generated).</summary>
    public string? GeneratedCodeOutput { get; set; }

    /// <summary>
    /// The owner login's connection string (owns the schemas, may change them). When set, the node applies every schema
    /// change with it at start-up, grants the runtime login (<see cref="ConnectionString"/>) what it needs, and only then
    /// runs on the runtime login, without schema checks (see README, "Secrets and least privilege"). Empty: no owner pass.
    /// </summary>
    public string? OwnerConnectionString { get; set; }

    /// <summary>
    /// Set on a start whose login owns the schema (an owner pass, <c>schema apply</c>): after every schema change the
    /// login that runs the node is granted what it needs and no more (<see cref="RuntimeGrants"/>). Empty: no grants.
    /// </summary>
    public string? RuntimeLogin { get; set; }

    /// <summary>When the read models are rebuilt at once after a large import (SeizureIntel:ReadModels:RebuildAfterImportEvents, RebuildAfterImportPercent).</summary>
    public Intelligence.Ledger.ReadModelOptions ReadModels { get; set; } = new();

    /// <summary>Run the async projection daemon on this host (off only for one-shot command-line work).</summary>
    public bool RunDaemon { get; set; } = true;

    public Identity.NodeIdentity Identity() => SeizureIntel.Identity.NodeIdentity.For(Agency);
}
