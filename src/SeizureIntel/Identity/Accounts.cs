using System.Security.Claims;
using System.Text.Json;
using Npgsql;
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
    public Task EnsureWebClientAsync(IEnumerable<Uri> redirects, IEnumerable<Uri> afterSignOut) => SaveAsync(WebClient(redirects, afterSignOut));

    /// <summary>The API docs' client, allowed to come back to the docs page at each of <paramref name="redirects"/>.</summary>
    public Task EnsureDocsClientAsync(IEnumerable<Uri> redirects) => SaveAsync(DocsClient(redirects));

    /// <summary>The web application's client as it is stored for these addresses.</summary>
    public static OpenIddictApplicationDescriptor WebClient(IEnumerable<Uri> redirects, IEnumerable<Uri> afterSignOut) =>
        PublicClient(WebClientId, "SeizureIntel web application", redirects, afterSignOut);

    /// <summary>The API docs' client as it is stored for these addresses.</summary>
    public static OpenIddictApplicationDescriptor DocsClient(IEnumerable<Uri> redirects) =>
        PublicClient(DocsClientId, "SeizureIntel API docs", redirects, []);

    /// <summary>A browser's client: no secret, so the authorization code is bound to its PKCE verifier.</summary>
    private static OpenIddictApplicationDescriptor PublicClient(string clientId, string displayName, IEnumerable<Uri> redirects, IEnumerable<Uri> afterSignOut)
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
        return descriptor;
    }

    /// <summary>
    /// Whether the public client <paramref name="descriptor"/> describes is stored exactly so (type, consent, name, no
    /// secret, the same permissions, requirements and addresses, nothing else set), in one query without EF Core: a node
    /// restarting on the addresses it had need not build the identity model (most of a CPU-second) to register its own
    /// clients again. Any difference, or no such client, answers false, and the client is saved through OpenIddict.
    /// </summary>
    public static async Task<bool> IsStoredAsync(NpgsqlDataSource db, IdentitySchema schema, OpenIddictApplicationDescriptor descriptor,
        CancellationToken token = default)
    {
        static string Json(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());
        // Arrays compare as sets (each contains the other); OpenIddict stores an empty set as NULL.
        static string Same(string column, int parameter) =>
            $"coalesce(\"{column}\", '[]')::jsonb @> ${parameter}::jsonb and ${parameter}::jsonb @> coalesce(\"{column}\", '[]')::jsonb";
        await using var command = db.CreateCommand(
            $$"""
             select count(*) from "{{schema.Name}}"."OpenIddictApplications"
             where "ClientId" = $1 and "ClientSecret" is null and "ApplicationType" is null and "ClientType" = $2 and "ConsentType" = $3
               and "DisplayName" = $4 and "DisplayNames" is null and "JsonWebKeySet" is null
               and coalesce("Properties", '{}') = '{}' and coalesce("Settings", '{}') = '{}'
               and {{Same("Permissions", 5)}} and {{Same("Requirements", 6)}} and {{Same("RedirectUris", 7)}} and {{Same("PostLogoutRedirectUris", 8)}}
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = descriptor.ClientId });
        command.Parameters.Add(new NpgsqlParameter { Value = descriptor.ClientType });
        command.Parameters.Add(new NpgsqlParameter { Value = descriptor.ConsentType });
        command.Parameters.Add(new NpgsqlParameter { Value = descriptor.DisplayName });
        command.Parameters.Add(new NpgsqlParameter { Value = Json(descriptor.Permissions) });
        command.Parameters.Add(new NpgsqlParameter { Value = Json(descriptor.Requirements) });
        command.Parameters.Add(new NpgsqlParameter { Value = Json(descriptor.RedirectUris.Select(u => u.AbsoluteUri)) });
        command.Parameters.Add(new NpgsqlParameter { Value = Json(descriptor.PostLogoutRedirectUris.Select(u => u.AbsoluteUri)) });
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(token)) == 1;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return false;
        }
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
