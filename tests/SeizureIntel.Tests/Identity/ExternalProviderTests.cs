using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SeizureIntel.Identity;
using SeizureIntel.Node;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// External identity provider mode (issue 12, point 1) with a second node as the provider: an embedded-mode node (SSDC)
/// listens on a real loopback port and issues tokens; a node configured with its address as authority issues nothing
/// itself, accepts the provider's tokens with the roles of their role claim, and refuses a token signed by anyone else.
/// </summary>
[Collection(ExternalProviderCollection.Name)]
public sealed class ExternalProviderTests : IAsyncLifetime
{
    private static string Schema => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_ext";
    private WebApplication _provider = null!;
    private IAlbaHost _node = null!;
    private string _authority = "";

    public async Task InitializeAsync()
    {
        // The provider: a node like any other, in embedded mode, on a real port (the relying node fetches its discovery document and keys over HTTP).
        _provider = NodeApp.Build([
            "--urls=http://127.0.0.1:0", "--SeizureIntel:Agency=SSDC", "--SeizureIntel:ConnectionString=" + TestDatabase.ConnectionString,
            "--SeizureIntel:Schema=" + Schema + "_idp", "--SeizureIntel:LoadDemoData=false", "--SeizureIntel:RunDaemon=false",
        ]);
        await _provider.StartAsync();
        _authority = _provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
        _node = await TestNodes.BootAsync("SSEP", Schema + "_rp", builder =>
            builder.UseSetting("SeizureIntel:Authentication:Authority", _authority));
    }

    public async Task DisposeAsync()
    {
        await _node.StopAsync();
        await _node.DisposeAsync();
        await _provider.StopAsync();
        await _provider.DisposeAsync();
    }

    /// <summary>A client-credentials token from the provider's own token endpoint, over real HTTP.</summary>
    private async Task<string> ProviderTokenAsync(string clientId, string role)
    {
        await using (var scope = _provider.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureClientAsync(clientId, TestTokens.Secret, [role], [NodeClaims.AllFacilities]);
        using var http = new HttpClient { BaseAddress = new Uri(_authority) };
        return await TestTokens.TokenAsync(http, clientId, TestTokens.Secret);
    }

    private async Task<HttpStatusCode> GetAsync(string url, string? token)
    {
        using var http = _node.Server.CreateClient();
        http.DefaultRequestHeaders.Add(TestTokens.AnonymousHeader, "1");
        if (token is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync(url);
        return response.StatusCode;
    }

    [Fact]
    public async Task the_node_accepts_the_providers_tokens_with_their_roles_and_issues_none_itself()
    {
        var analyst = await ProviderTokenAsync("ext-analyst", Roles.Analyst);
        var auditor = await ProviderTokenAsync("ext-auditor", Roles.Auditor);

        // Roles from the token's role claim decide, as on an embedded node.
        (await GetAsync("/api/trends?from=2015-01&to=2015-12", analyst)).ShouldBe(HttpStatusCode.OK);
        (await GetAsync("/api/audit", analyst)).ShouldBe(HttpStatusCode.Forbidden);
        (await GetAsync("/api/audit", auditor)).ShouldBe(HttpStatusCode.OK);
        (await GetAsync("/api/trends?from=2015-01&to=2015-12", auditor)).ShouldBe(HttpStatusCode.Forbidden);
        (await GetAsync("/api/facilities", null)).ShouldBe(HttpStatusCode.Unauthorized);

        // It issues nothing: no token endpoint (client credentials for a client the provider knows), no discovery of its own.
        using var http = _node.Server.CreateClient();
        using var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "ext-analyst", ["client_secret"] = TestTokens.Secret,
        }));
        token.IsSuccessStatusCode.ShouldBeFalse();
        (await token.Content.ReadAsStringAsync()).ShouldNotContain("access_token");
        using var discovery = await http.GetAsync("/.well-known/openid-configuration");
        (await discovery.Content.ReadAsStringAsync()).ShouldNotContain("token_endpoint");
    }

    [Fact]
    public async Task a_token_signed_by_anyone_else_is_refused_even_naming_the_provider()
    {
        var genuine = await ProviderTokenAsync("ext-supervisor", Roles.Supervisor);
        (await GetAsync("/api/projections/parked", genuine)).ShouldBe(HttpStatusCode.OK);

        // The same claims, the provider as issuer, but signed with a key of the forger's own.
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _authority,
            Audience = NodeClaims.Audience,
            TokenType = "at+jwt",
            Subject = new ClaimsIdentity([new Claim("sub", "forger"), new Claim("role", Roles.Supervisor), new Claim("client_id", "ext-supervisor")]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "forger" }, SecurityAlgorithms.RsaSha256),
        });
        (await GetAsync("/api/projections/parked", forged)).ShouldBe(HttpStatusCode.Unauthorized);
        // The provider's genuine token with its signature tampered with is refused too.
        (await GetAsync("/api/projections/parked", genuine[..^4] + "AAAA")).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_provider_with_another_role_claim_name_grants_only_through_that_claim()
    {
        // Pure: the claims mapping the node applies to every validated token in external mode (Keycloak's "groups").
        var mapping = new ExternalClaims(new NodeAuthenticationOptions { Authority = _authority, RoleClaim = "groups", FacilityClaim = "sites" });
        var identity = new ClaimsIdentity([new Claim("sub", "u1"), new Claim("groups", "analyst officer"), new Claim("role", "supervisor"),
            new Claim("sites", "SIZO-1"), new Claim("facility", "*")], "bearer");
        var principal = await mapping.TransformAsync(new ClaimsPrincipal(identity));
        principal.FindAll(NodeClaims.Role).Select(c => c.Value).Order().ShouldBe(["analyst", "officer"]);
        principal.FindAll(NodeClaims.Facility).Select(c => c.Value).ShouldBe(["SIZO-1"]);
    }
}

[CollectionDefinition(Name)]
public sealed class ExternalProviderCollection
{
    public const string Name = "external-provider";
}
