using Microsoft.AspNetCore.Authorization;

namespace SeizureIntel.Web.Shell;

/// <summary>
/// Who may open which page, one policy per job (DESIGN.md "Who may see what"). Pages name these constants in
/// <c>[Authorize(Policy = ...)]</c>. Until sign-in lands (issue 12), the node has no authentication and every policy
/// admits everyone; with it, each policy requires its roles and nothing in the pages changes.
/// </summary>
public static class WebPolicies
{
    /// <summary>Records seizures, hands over evidence, corrects with a reason.</summary>
    public const string RecordSeizures = "web:record-seizures";
    /// <summary>Opens a seizure's page and finds seizures (officers, custodians, lab, supervisors, auditors, analysts masked).</summary>
    public const string ReadSeizures = "web:read-seizures";
    /// <summary>Plans, launches and concludes joint operations.</summary>
    public const string RunOperations = "web:run-operations";
    /// <summary>Trends, comparisons, map and impact.</summary>
    public const string Analyse = "web:analyse";
    /// <summary>The annual comparison report.</summary>
    public const string Report = "web:report";
    /// <summary>The sharing status with partners.</summary>
    public const string SuperviseSharing = "web:supervise-sharing";

    public static readonly IReadOnlyList<string> All = [RecordSeizures, ReadSeizures, RunOperations, Analyse, Report, SuperviseSharing];

    public static void Define(AuthorizationOptions options)
    {
        // No sign-in yet: admit everyone (see the summary). The role requirements replace this when identity lands.
        foreach (var policy in All) options.AddPolicy(policy, p => p.RequireAssertion(_ => true));
    }
}
