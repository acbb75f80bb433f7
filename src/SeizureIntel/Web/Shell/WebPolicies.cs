using Microsoft.AspNetCore.Authorization;
using SeizureIntel.Identity;

namespace SeizureIntel.Web.Shell;

/// <summary>
/// Who may open which page, one policy per job (DESIGN.md "Who may see what"), with the roles of
/// <see cref="Roles"/> each requires. Pages name these constants in <c>[Authorize(Policy = ...)]</c> and menus in
/// <c>&lt;AuthorizeView Policy=...&gt;</c>. Until the node signs people in (issue 12's OpenID Connect), it has no
/// authentication scheme and every policy admits everyone; with sign-in, each requires its roles and no page changes.
/// </summary>
public static class WebPolicies
{
    /// <summary>Records seizures, hands over evidence, corrects with a reason.</summary>
    public const string RecordSeizures = "web:record-seizures";
    /// <summary>Finds seizures and opens their pages.</summary>
    public const string ReadSeizures = "web:read-seizures";
    /// <summary>Plans, launches and concludes joint operations.</summary>
    public const string RunOperations = "web:run-operations";
    /// <summary>Trends, comparisons, map and impact.</summary>
    public const string Analyse = "web:analyse";
    /// <summary>The annual comparison report.</summary>
    public const string Report = "web:report";
    /// <summary>The sharing status with partners.</summary>
    public const string SuperviseSharing = "web:supervise-sharing";

    /// <summary>The roles each page policy admits once people sign in.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [RecordSeizures] = [Roles.Officer, Roles.Supervisor],
        [ReadSeizures] = [Roles.Officer, Roles.Custodian, Roles.Lab, Roles.Operations, Roles.Supervisor, Roles.Auditor],
        [RunOperations] = [Roles.Operations, Roles.Supervisor],
        [Analyse] = [Roles.Analyst, Roles.Supervisor],
        [Report] = [Roles.WorkingGroup, Roles.Analyst, Roles.Supervisor],
        [SuperviseSharing] = [Roles.Supervisor, Roles.Admin],
    };

    /// <param name="options">The authorization options to add the policies to.</param>
    /// <param name="signIn">Whether the node authenticates people; false (today) admits everyone.</param>
    public static void Define(AuthorizationOptions options, bool signIn)
    {
        foreach (var (policy, roles) in RolesOf)
            options.AddPolicy(policy, p =>
            {
                if (signIn) p.RequireAuthenticatedUser().RequireRole(roles);
                else p.RequireAssertion(_ => true);
            });
    }
}
