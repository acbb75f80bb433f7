namespace SeizureIntel.Identity;

/// <summary>
/// The roles people and clients hold on a node, following the jobs (see README, "Who may do what"). Role names are
/// also the names of the authorization policies that require them.
/// </summary>
public static class Roles
{
    /// <summary>Records and corrects seizures at the facilities assigned to them.</summary>
    public const string Officer = "officer";
    /// <summary>Custody hand-overs and destruction of evidence.</summary>
    public const string Custodian = "custodian";
    /// <summary>Lab submissions and results.</summary>
    public const string Lab = "lab";
    /// <summary>Joint operations.</summary>
    public const string Operations = "operations";
    /// <summary>Every read model, trends, maps, impact; personal fields masked.</summary>
    public const string Analyst = "analyst";
    /// <summary>Reports and year figures only.</summary>
    public const string WorkingGroup = "working-group";
    /// <summary>Voids, duplicates, corrections of others' records; sharing status.</summary>
    public const string Supervisor = "supervisor";
    /// <summary>Users, clients, policies; no data.</summary>
    public const string Admin = "admin";
    /// <summary>The audit log.</summary>
    public const string Auditor = "auditor";
    /// <summary>Scrapes the node's metrics (GET /metrics): operator figures, no data (a Prometheus server's API client).</summary>
    public const string Monitoring = "monitoring";

    public static readonly IReadOnlyList<string> All =
        [Officer, Custodian, Lab, Operations, Analyst, WorkingGroup, Supervisor, Admin, Auditor, Monitoring];
}
