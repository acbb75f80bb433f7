using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SeizureIntel.Identity;

namespace SeizureIntel.Web.Shell;

/// <summary>
/// How people sign in to the web application: a cookie of its own, obtained through the node's OpenID Connect
/// provider with the authorization code and PKCE (ASP.NET Core's OpenID Connect handler against the node itself, or
/// against the external provider in external mode). The access token the provider issues rides in the cookie, and the
/// pages' calls to the API (<see cref="NodeApi"/>) carry it, so the API authorizes each page's reads and writes exactly
/// as it does a script's.
/// </summary>
public static class WebSignIn
{
    public const string OidcScheme = "web-oidc";
    public const string AccessTokenClaim = "access_token";
    public const string SignInPath = "/account/web-signin";
    public const string SignOutPath = "/account/web-signout";

    public static void AddWebSignIn(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddCookie(IdentitySetup.PageScheme, o =>
            {
                o.Cookie.Name = "seizureintel.web";
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.HttpOnly = true;
                o.ForwardChallenge = OidcScheme;
                o.AccessDeniedPath = "/forbidden";
                // A little shorter than the access token inside it; the next request signs in again through the provider,
                // silently while the provider's own sign-in cookie lasts.
                o.ExpireTimeSpan = TimeSpan.FromMinutes(55);
                o.SlidingExpiration = false;
            })
            .AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = IdentitySetup.PageScheme;
                o.ClientId = Accounts.WebClientId;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "roles" }) o.Scope.Add(scope);
                o.MapInboundClaims = false;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.RequireHttpsMetadata = false;
                o.TokenValidationParameters.NameClaimType = NodeClaims.Name;
                o.TokenValidationParameters.RoleClaimType = NodeClaims.Role;
                o.Events.OnTokenValidated = context =>
                {
                    // The roles and facilities the pages decide on are the access token's, which the API also checks.
                    var identity = (ClaimsIdentity)context.Principal!.Identity!;
                    if (context.TokenEndpointResponse?.AccessToken is { } token)
                    {
                        identity.AddClaim(new Claim(AccessTokenClaim, token));
                        foreach (var claim in new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Claims
                                     .Where(c => c.Type is NodeClaims.Role or NodeClaims.Facility))
                            if (!identity.HasClaim(claim.Type, claim.Value)) identity.AddClaim(new Claim(claim.Type, claim.Value));
                    }
                    return Task.CompletedTask;
                };
            });
        builder.Services.AddOptions<OpenIdConnectOptions>(OidcScheme).Configure<IServer, NodeAuthenticationOptions>((o, server, auth) =>
            o.ConfigurationManager = new ProviderConfiguration(server, auth));
        builder.Services.AddHostedService<WebClientRegistration>();
    }

    public static void MapWebSignIn(this WebApplication app)
    {
        app.MapGet(SignInPath, (string? returnUrl) => Results.Challenge(new AuthenticationProperties { RedirectUri = Local(returnUrl) }, [OidcScheme]))
            .ExcludeFromDescription();
        app.MapMethods(SignOutPath, ["GET", "POST"], () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [IdentitySetup.PageScheme, OidcScheme])).ExcludeFromDescription();
    }

    private static string Local(string? url) => url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//") ? url : "/";

    /// <summary>The addresses Kestrel listens on, a wildcard host as 127.0.0.1 and localhost.</summary>
    public static IEnumerable<Uri> Addresses(IServer server) =>
        (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).SelectMany(a =>
        {
            var uri = new Uri(a.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1")
                .Replace("://[::]", "://127.0.0.1"));
            return new[] { uri, new UriBuilder(uri) { Host = uri.Host == "localhost" ? "127.0.0.1" : "localhost" }.Uri };
        });

    /// <summary>
    /// The provider's discovery document: the node's own, read over loopback once the node listens (its port may be
    /// chosen at start), or the external authority's.
    /// </summary>
    private sealed class ProviderConfiguration(IServer server, NodeAuthenticationOptions auth) : IConfigurationManager<OpenIdConnectConfiguration>
    {
        private ConfigurationManager<OpenIdConnectConfiguration>? _inner;

        private ConfigurationManager<OpenIdConnectConfiguration> Inner => _inner ??= new(
            (auth.External ? auth.Authority!.TrimEnd('/') : Addresses(server).First().ToString().TrimEnd('/')) + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(), new HttpDocumentRetriever { RequireHttps = false });

        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => Inner.GetConfigurationAsync(cancel);
        public void RequestRefresh() => _inner?.RequestRefresh();
    }
}

/// <summary>
/// Registers the web application's and the API docs' clients with the node's provider once the node listens, for each address it listens
/// on (the redirect URIs must match exactly). Nothing to register in external mode: the agency's provider has it.
/// </summary>
internal sealed class WebClientRegistration(IHostApplicationLifetime lifetime, IServer server, IServiceProvider services,
    NodeAuthenticationOptions auth, ILogger<WebClientRegistration> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (auth.External) return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
            try { await started.Task; } catch (TaskCanceledException) { return; }
        var addresses = WebSignIn.Addresses(server).ToList();
        if (addresses.Count == 0) return; // an in-memory test server: no browser comes
        var web = Accounts.WebClient(addresses.Select(a => new Uri(a, "/signin-oidc")), addresses.Select(a => new Uri(a, "/signout-callback-oidc")));
        var docs = Accounts.DocsClient(addresses.Select(a => new Uri(a, ApiDocs.DocsPath)));
        // A restart on the same addresses: both are stored as they are, and nothing (not even EF Core's model) is needed.
        var (db, schema) = (services.GetRequiredService<Npgsql.NpgsqlDataSource>(), services.GetRequiredService<IdentitySchema>());
        if (await Accounts.IsStoredAsync(db, schema, web, stoppingToken) && await Accounts.IsStoredAsync(db, schema, docs, stoppingToken))
        {
            log.LogInformation("web application and API docs clients already registered for {Addresses}", string.Join(", ", addresses));
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<Accounts>();
        await accounts.EnsureWebClientAsync(web.RedirectUris, web.PostLogoutRedirectUris);
        await accounts.EnsureDocsClientAsync(docs.RedirectUris);
        log.LogInformation("web application and API docs clients registered for {Addresses}", string.Join(", ", addresses));
    }
}
