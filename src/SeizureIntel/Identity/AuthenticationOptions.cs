namespace SeizureIntel.Identity;

/// <summary>
/// Who issues the tokens this node accepts (section <c>SeizureIntel:Authentication</c>). Without an
/// <see cref="Authority"/> the node is its own OpenID Connect provider (OpenIddict on ASP.NET Core Identity); with one
/// (an agency's AD FS or Keycloak, or another node) it issues nothing and validates that authority's tokens.
/// </summary>
public sealed class NodeAuthenticationOptions
{
    /// <summary>The external provider's issuer URL; empty: this node issues its own tokens.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the node's access tokens must name.</summary>
    public string Audience { get; set; } = NodeClaims.Audience;

    /// <summary>The claim the external provider puts the roles in (e.g. <c>roles</c>, or Keycloak's mapped <c>groups</c>).</summary>
    public string RoleClaim { get; set; } = NodeClaims.Role;

    /// <summary>The claim the external provider puts an officer's facilities in.</summary>
    public string FacilityClaim { get; set; } = NodeClaims.Facility;

    /// <summary>The lifetime of access tokens the node issues, in minutes.</summary>
    public int AccessTokenMinutes { get; set; } = 60;

    public bool External => !string.IsNullOrWhiteSpace(Authority);
}
