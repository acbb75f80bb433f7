using System.Security.Claims;
using System.Text.Json.Serialization;

namespace SeizureIntel.Identity;

/// <summary>
/// Who is acting: the authenticated subject (a user name or an API client's id) and the agency of this node; every event
/// a person causes records it. Resolved once per request from the signed-in principal (<see cref="Actors"/>); its roles
/// and facility assignments decide what it may do but are not written into events.
/// </summary>
public sealed record Actor(string User, string Agency)
{
    public const string Anonymous = "anonymous";

    /// <summary>The roles of <see cref="Identity.Roles"/> the principal holds.</summary>
    [JsonIgnore] public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The facilities an officer is assigned to (<see cref="NodeClaims.AllFacilities"/>: every one).</summary>
    [JsonIgnore] public IReadOnlyList<string> Facilities { get; init; } = [];

    public bool Has(string role) => Roles.Contains(role);

    /// <summary>
    /// An officer with no role that reads or acts across the node (custodian, lab, operations, analyst, supervisor) works
    /// only at the facilities assigned to them.
    /// </summary>
    public bool FacilityScoped =>
        Has(Identity.Roles.Officer) && !Roles.Any(r => r is Identity.Roles.Custodian or Identity.Roles.Lab or Identity.Roles.Operations
            or Identity.Roles.Analyst or Identity.Roles.Supervisor);

    /// <summary>Whether this actor may see and act on records of <paramref name="facility"/>.</summary>
    public bool MayActAt(string? facility) =>
        VisibleFacilities is not { } mine || facility is not null && mine.Contains(facility.ToUpperInvariant());

    /// <summary>
    /// The same rule as <see cref="MayActAt"/>, for a query over many records: null when this actor is not limited to
    /// facilities, else the facility codes it may see (upper case, as the catalogue writes them; none: nothing). Lists
    /// and maps filter by it in the database and check each answered record with <see cref="MayActAt"/>.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<string>? VisibleFacilities =>
        !FacilityScoped || Facilities.Contains(NodeClaims.AllFacilities)
            ? null
            : Facilities.Select(f => f.ToUpperInvariant()).Distinct().ToList();

    // Events compare by who and where only: the principal's roles are not part of the record.
    public bool Equals(Actor? other) => other is not null && User == other.User && Agency == other.Agency;
    public override int GetHashCode() => HashCode.Combine(User, Agency);
}

/// <summary>Resolves the acting user of a request: the one place the pipeline asks who is acting.</summary>
public static class Actors
{
    public static Actor From(HttpContext context, NodeIdentity node) => FromPrincipal(context.User, node.Agency);

    public static Actor FromPrincipal(ClaimsPrincipal principal, string agency)
    {
        if (principal.Identity?.IsAuthenticated != true) return new Actor(Actor.Anonymous, agency);
        var subject = principal.FindFirst(NodeClaims.Subject)?.Value ?? principal.Identity.Name ?? Actor.Anonymous;
        return new Actor(subject, agency)
        {
            Roles = principal.FindAll(NodeClaims.Role).Select(c => c.Value).Distinct().ToList(),
            Facilities = principal.FindAll(NodeClaims.Facility).Select(c => c.Value).Distinct().ToList(),
        };
    }
}

/// <summary>A record that belongs to a facility: an officer sees and changes it only where assigned (<see cref="Actor.MayActAt"/>).</summary>
public interface IFacilityScoped
{
    string? FacilityId { get; }
}
