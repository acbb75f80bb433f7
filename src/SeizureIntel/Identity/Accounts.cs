using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Identity;

/// <summary>
/// Creates and updates the node's users (ASP.NET Core Identity) and API clients (OpenIddict applications): the demo
/// accounts of <c>identity seed-demo</c>, the tests' clients, and the web application's own client.
/// </summary>
public sealed class Accounts(UserManager<NodeUser> users, RoleManager<IdentityRole> roles, IOpenIddictApplicationManager applications)
{
    /// <summary>The web application's public client: authorization code with PKCE, no secret.</summary>
    public const string WebClientId = "seizureintel-web";

    /// <summary>The API docs' public client (Scalar at /scalar/v1): authorization code with PKCE, no secret.</summary>
    public const string DocsClientId = "seizureintel-docs";

    /// <summary>A user with exactly these roles and facilities and this password (created, or brought to this state).</summary>
    public async Task<NodeUser> EnsureUserAsync(string userName, string password, IEnumerable<string> userRoles,
        IEnumerable<string>? facilities = null)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            user = new NodeUser { UserName = userName, LockoutEnabled = true };
            Check(await users.CreateAsync(user, password), userName);
        }
        else
        {
            await users.RemovePasswordAsync(user);
            Check(await users.AddPasswordAsync(user, password), userName);
        }

        var wanted = userRoles.Distinct().ToList();
        foreach (var role in wanted.Where(r => !roles.Roles.Any(x => x.Name == r)))
            Check(await roles.CreateAsync(new IdentityRole(role)), role);
        var held = await users.GetRolesAsync(user);
        Check(await users.RemoveFromRolesAsync(user, held.Except(wanted)), userName);
        Check(await users.AddToRolesAsync(user, wanted.Except(held)), userName);

        var claims = (await users.GetClaimsAsync(user)).Where(c => c.Type == NodeClaims.Facility).ToList();
        if (claims.Count > 0) Check(await users.RemoveClaimsAsync(user, claims), userName);
        var assigned = (facilities ?? []).Distinct().Select(f => new Claim(NodeClaims.Facility, f)).ToList();
        if (assigned.Count > 0) Check(await users.AddClaimsAsync(user, assigned), userName);
        return user;
    }

    /// <summary>A confidential API client for scripts and service accounts (client credentials), with these roles.</summary>
    public async Task EnsureClientAsync(string clientId, string secret, IEnumerable<string> clientRoles, IEnumerable<string>? facilities = null)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = clientId,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        foreach (var (name, value) in NodeClaims.ClientProperties(clientRoles, facilities ?? [])) descriptor.Properties[name] = value;
        await SaveAsync(descriptor);
    }

    /// <summary>The web application's client, allowed to come back to each of <paramref name="redirects"/>.</summary>
    public Task EnsureWebClientAsync(IEnumerable<Uri> redirects, IEnumerable<Uri> afterSignOut) =>
        EnsurePublicClientAsync(WebClientId, "SeizureIntel web application", redirects, afterSignOut);

    /// <summary>The API docs' client, allowed to come back to the docs page at each of <paramref name="redirects"/>.</summary>
    public Task EnsureDocsClientAsync(IEnumerable<Uri> redirects) =>
        EnsurePublicClientAsync(DocsClientId, "SeizureIntel API docs", redirects, []);

    /// <summary>A browser's client: no secret, so the authorization code is bound to its PKCE verifier.</summary>
    private async Task EnsurePublicClientAsync(string clientId, string displayName, IEnumerable<Uri> redirects, IEnumerable<Uri> afterSignOut)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            DisplayName = displayName,
            ConsentType = ConsentTypes.Implicit,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Scopes.Roles,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in redirects.Distinct()) descriptor.RedirectUris.Add(uri);
        foreach (var uri in afterSignOut.Distinct()) descriptor.PostLogoutRedirectUris.Add(uri);
        await SaveAsync(descriptor);
    }

    private async Task SaveAsync(OpenIddictApplicationDescriptor descriptor)
    {
        if (await applications.FindByClientIdAsync(descriptor.ClientId!) is { } existing)
            await applications.UpdateAsync(existing, descriptor);
        else
            await applications.CreateAsync(descriptor);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"{what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}
