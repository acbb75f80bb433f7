using static SeizureIntel.Identity.Roles;

namespace SeizureIntel.Identity;

/// <summary>
/// Who may call which API operation: the one table every <c>/api</c> route's authorization comes from
/// (<see cref="AccessPolicy"/>), the README's "Who may do what" and the authorization matrix test. An operation missing
/// here admits nobody (and fails the matrix test). Officers are further limited to the facilities assigned to them
/// (<see cref="Actor.MayActAt"/>): another facility's seizure answers 404, as if it did not exist.
/// </summary>
public static class AccessMatrix
{
    private static readonly string[] SeizureReaders = [Officer, Custodian, Lab, Roles.Operations, Analyst, Supervisor];
    private static readonly string[] Analysis = [Analyst, Supervisor];
    private static readonly string[] Figures = [Analyst, WorkingGroup, Supervisor];
    /// <summary>Everyone who works with the data; a monitoring client scrapes metrics and reads nothing else.</summary>
    private static readonly string[] Everyone = [.. All.Where(r => r != Monitoring)];
    private static readonly string[] Planners = [Roles.Operations, Supervisor];

    /// <summary>"METHOD /route" (as the route template is written) → the roles allowed.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Table = new Dictionary<string, string[]>
    {
        // Reference data: everyone signed in.
        ["GET /api/reference"] = Everyone,
        ["GET /api/reference/{vocabulary}"] = Everyone,
        ["GET /api/reference/conversion-tables"] = Everyone,
        ["GET /api/facilities"] = Everyone,
        ["GET /api/facilities/{facilityId}"] = Everyone,
        ["GET /api/oblasts"] = Everyone,
        ["GET /api/oblasts/{code}"] = Everyone,

        // Seizures: recorded and corrected by officers, custody by custodians, the lab's by the lab, voids by supervisors.
        ["POST /api/seizures"] = [Officer, Supervisor],
        ["GET /api/seizures"] = SeizureReaders,
        ["GET /api/seizures/{id}"] = SeizureReaders,
        ["GET /api/seizures/by-reference/{reference}"] = SeizureReaders,
        ["GET /api/seizures/{id}/history"] = SeizureReaders,
        ["GET /api/seizures/near"] = SeizureReaders,
        ["GET /api/seizures/within"] = SeizureReaders,
        ["POST /api/seizures/within"] = SeizureReaders,
        ["POST /api/seizures/{id}/corrections"] = [Officer, Supervisor],
        ["POST /api/seizures/{id}/custody"] = [Officer, Custodian, Supervisor],
        ["POST /api/seizures/{id}/destruction"] = [Custodian, Supervisor],
        ["POST /api/seizures/{id}/lab-submissions"] = [Officer, Lab, Supervisor],
        ["POST /api/seizures/{id}/lab-results"] = [Lab, Supervisor],
        ["POST /api/seizures/{id}/void"] = [Supervisor],
        ["POST /api/seizures/{id}/sharing"] = [Supervisor],
        ["POST /api/seizures/{id}/duplicate-of"] = [Supervisor],

        // Joint operations.
        ["GET /api/operations"] = [Officer, Roles.Operations, Analyst, Supervisor],
        ["GET /api/operations/{id}"] = [Officer, Roles.Operations, Analyst, Supervisor],
        ["POST /api/operations"] = Planners,
        ["POST /api/operations/{id}/agencies"] = Planners,
        ["POST /api/operations/{id}/agencies/{agency}/leave"] = Planners,
        ["POST /api/operations/{id}/launch"] = Planners,
        ["POST /api/operations/{id}/arrests"] = Planners,
        ["POST /api/operations/{id}/cases"] = Planners,
        ["POST /api/operations/{id}/conclude"] = Planners,
        ["POST /api/operations/{id}/cancel"] = Planners,
        ["POST /api/operations/{id}/seizures"] = Planners,
        ["POST /api/operations/{id}/seizures/{seizureId}/unlink"] = Planners,

        // Intelligence: analysts; year figures and the report also for the working group.
        ["GET /api/facilities/{facilityId}/summary"] = Analysis,
        ["GET /api/facilities/{facilityId}/years/{year}/summary"] = Figures,
        ["GET /api/years/{year}/summary"] = Figures,
        ["GET /api/trends"] = Analysis,
        ["GET /api/compare"] = Analysis,
        ["GET /api/hotspots"] = Analysis,
        ["GET /api/impact"] = Analysis,
        ["GET /api/projections/freshness"] = Figures,
        ["GET /api/reports/annual/{year}"] = Figures,
        ["GET /api/compare/decomposition"] = Figures,
        ["GET /api/reports/annual/{year}/restatement"] = Figures,

        // Search effort: recorded and corrected at the facility like seizures; rates for everyone who reads figures.
        ["POST /api/effort"] = [Officer, Supervisor],
        ["POST /api/effort/import"] = [Officer, Supervisor],
        ["POST /api/effort/imports"] = [Officer, Supervisor],
        ["POST /api/effort/{id}/corrections"] = [Officer, Supervisor],
        ["POST /api/effort/{id}/void"] = [Supervisor],
        ["GET /api/effort"] = [Officer, Analyst, Supervisor],
        ["GET /api/effort/{id}"] = [Officer, Analyst, Supervisor],
        ["GET /api/facilities/{facilityId}/rates"] = Figures,

        // Interventions: registered by supervisors (the facility's management), their effects read with the figures.
        ["POST /api/interventions"] = [Supervisor],
        ["GET /api/interventions"] = Figures,
        ["GET /api/interventions/{id}"] = Figures,
        ["GET /api/interventions/{id}/effect"] = Figures,

        // Historical imports: a supervisor's job (every row is checked as POST /api/seizures checks it).
        ["POST /api/imports"] = [Supervisor],
        ["GET /api/imports/{id}"] = [Supervisor],
        ["GET /api/imports/template"] = [Officer, Supervisor],
        // National reference statistics (UNODC editions): imported by a supervisor, like the node's own history; read by
        // those who read the node's figures (analysts and the working group), since they are shown beside them.
        ["POST /api/reference-series/unodc"] = [Supervisor],
        ["GET /api/reference-series/unodc"] = Figures,

        // The ledger's own checks: parked (poison) events and verification, for supervisors.
        ["GET /api/projections/parked"] = [Supervisor],
        ["GET /api/projections/verify"] = [Supervisor],
        ["POST /api/projections/heal"] = [Supervisor],

        // Sharing with partners.
        ["GET /api/sharing/status"] = [Supervisor, Admin],

        // The audit log: the auditor only.
        ["GET /api/audit"] = [Auditor],

        // Prometheus scrape endpoint (Telemetry/): counts, lags and latencies, no records; outside /api, so not audited.
        ["GET /metrics"] = [Monitoring, Admin],
    };

    public static string Key(string method, string route) => $"{method.ToUpperInvariant()} /{route.TrimStart('/')}";

    /// <summary>The roles allowed to call an operation; none when the table does not name it.</summary>
    public static string[] RolesFor(string method, string route) =>
        Table.TryGetValue(Key(method, route), out var roles) ? roles : [];

    /// <summary>The authorization policy name of a set of roles (one policy per distinct set).</summary>
    public static string PolicyName(IEnumerable<string> roles) => "api:" + string.Join('+', roles.Order(StringComparer.Ordinal));

    /// <summary>The matrix as the README shows it: one row per operation, one column per role.</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string>
        {
            "| Operation | " + string.Join(" | ", All) + " |",
            "|---|" + string.Concat(All.Select(_ => ":-:|")),
        };
        lines.AddRange(Table.Select(e => $"| `{e.Key}` | " + string.Join(" | ", All.Select(r => e.Value.Contains(r) ? "✓" : "")) + " |"));
        return string.Join("\n", lines);
    }
}
