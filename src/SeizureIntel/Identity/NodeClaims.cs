using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Identity;

/// <summary>
/// The claims a node's tokens carry: the subject (a user name or a client id), its roles and, for officers, the
/// facilities assigned to them. Users keep roles in Identity's role tables and facilities as user claims; API clients
/// keep both in their OpenIddict application's properties.
/// </summary>
public static class NodeClaims
{
    public const string Subject = Claims.Subject;
    public const string Name = Claims.Name;
    public const string Role = Claims.Role;
    public const string Facility = "facility";
    /// <summary>A facility assignment that stands for every facility of the node.</summary>
    public const string AllFacilities = "*";
    /// <summary>The audience of the node's access tokens (SeizureIntel:Authentication:Audience in external mode).</summary>
    public const string Audience = "seizureintel";

    public const string RolesProperty = "roles";
    public const string FacilitiesProperty = "facilities";

    /// <summary>The principal of a token for a user: who, their roles and facilities, with the scopes asked for.</summary>
    public static async Task<ClaimsPrincipal> ForUserAsync(NodeUser user, UserManager<NodeUser> users, IEnumerable<string> scopes)
    {
        var roles = await users.GetRolesAsync(user);
        var facilities = (await users.GetClaimsAsync(user)).Where(c => c.Type == Facility).Select(c => c.Value);
        return Build(user.UserName!, roles, facilities, scopes);
    }

    /// <summary>The principal of a token for an API client (client credentials): its id is the subject.</summary>
    public static ClaimsPrincipal ForClient(string clientId, IReadOnlyDictionary<string, JsonElement> properties, IEnumerable<string> scopes) =>
        Build(clientId, Strings(properties, RolesProperty), Strings(properties, FacilitiesProperty), scopes);

    public static Dictionary<string, JsonElement> ClientProperties(IEnumerable<string> roles, IEnumerable<string> facilities) => new()
    {
        [RolesProperty] = JsonSerializer.SerializeToElement(roles.ToArray()),
        [FacilitiesProperty] = JsonSerializer.SerializeToElement(facilities.ToArray()),
    };

    private static IEnumerable<string> Strings(IReadOnlyDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.GetString()!).ToList()
            : [];

    private static ClaimsPrincipal Build(string subject, IEnumerable<string> roles, IEnumerable<string> facilities, IEnumerable<string> scopes)
    {
        var identity = new ClaimsIdentity("node", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, subject).SetClaim(Claims.Name, subject);
        identity.SetClaims(Claims.Role, [.. roles.Distinct()]);
        identity.SetClaims(Facility, [.. facilities.Distinct()]);
        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(scopes);
        principal.SetResources(Audience);
        // Everything goes into the access token; who and which roles also into the identity token the web application reads.
        principal.SetDestinations(claim => claim.Type is Claims.Name or Claims.Role or Claims.Subject
            ? [Destinations.AccessToken, Destinations.IdentityToken]
            : [Destinations.AccessToken]);
        return principal;
    }
}
