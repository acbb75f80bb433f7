using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using SeizureIntel.Identity.SignIn;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Identity;

/// <summary>
/// Sign-in for the node (issue 12): by default the node is its own OpenID Connect provider — OpenIddict's server on
/// ASP.NET Core Identity (password hashing, lockout, TOTP), both stored with EF Core in the node's PostgreSQL — issuing
/// client-credentials tokens to scripts and authorization-code (+PKCE) tokens to the web application; every
/// <c>/api</c> route requires a bearer token (OpenIddict's validation). With SeizureIntel:Authentication:Authority set
/// the node issues nothing and validates the external provider's tokens instead.
/// </summary>
public static class IdentitySetup
{
    /// <summary>The default scheme: bearer tokens for the API, the page cookie for everything else.</summary>
    public const string Scheme = "node";

    /// <summary>The scheme the pages authenticate with: the web application's own cookie (Web/Shell/WebSignIn.cs).</summary>
    public const string PageScheme = "web";

    /// <summary>The Prometheus scrape endpoint (Node/Telemetry): outside /api, and authenticated by bearer token like it.</summary>
    public const string MetricsPath = "/metrics";

    /// <param name="builder">The node's builder.</param>
    /// <param name="auth">Who issues tokens (SeizureIntel:Authentication).</param>
    /// <param name="nodeSchema">The node's Marten schema; identity goes into the schema beside it.</param>
    /// <param name="applySchema">False on a runtime login that may not change the schema: the owner login made the tables.</param>
    public static void AddNodeIdentity(this WebApplicationBuilder builder, NodeAuthenticationOptions auth, string nodeSchema, bool applySchema = true)
    {
        var services = builder.Services;
        services.AddSingleton(auth);
        var schema = IdentitySchema.Of(nodeSchema, applySchema);
        services.AddSingleton(schema);
        services.AddDbContext<NodeIdentityDb>((sp, o) =>
        {
            o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history", schema.Name));
            o.UseOpenIddict();
            o.ReplaceService<IModelCacheKeyFactory, SchemaModelCacheKey>();
        });

        services.AddIdentityCore<NodeUser>(o =>
            {
                // Five wrong passwords (or codes) lock an account for fifteen minutes.
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                // Length over composition (NIST SP 800-63B): at least 12 characters, no character-class rules.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<NodeIdentityDb>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.AddScoped<Accounts>();
        services.AddHostedService<IdentityStartup>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(Scheme, "bearer token for the API, cookie for the pages", o => o.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments(MetricsPath) ||
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme
                    : PageScheme)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure(o =>
            {
                o.LoginPath = LoginPage.Path;
                o.LogoutPath = LoginPage.LogoutPath;
                o.Cookie.Name = "seizureintel.signin";
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
            }));

        var openIddict = services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<NodeIdentityDb>());
        if (auth.External)
        {
            openIddict.AddValidation(o =>
            {
                o.SetIssuer(auth.Authority!);
                o.AddAudiences(auth.Audience);
                o.UseSystemNetHttp();
                o.UseAspNetCore();
            });
            services.AddTransient<IClaimsTransformation>(_ => new ExternalClaims(auth));
            return;
        }

        openIddict.AddServer(o =>
            {
                o.SetAuthorizationEndpointUris(TokenEndpoints.Authorize)
                    .SetTokenEndpointUris(TokenEndpoints.Token)
                    .SetEndSessionEndpointUris(TokenEndpoints.EndSession);
                o.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.Profile, Scopes.Roles);
                o.SetAccessTokenLifetime(TimeSpan.FromMinutes(auth.AccessTokenMinutes));
                // Signed JWTs a partner or a script can read; the keys are the node's own (NodeKeys).
                o.DisableAccessTokenEncryption();
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // Nodes listen on loopback HTTP behind the agency's TLS terminator.
                    .DisableTransportSecurityRequirement();
                // Every refused token request goes into the audit (Identity/SignIn/SignInRefusals.cs, recorded by Audit/SignInAudit.cs).
                o.AuditTokenRefusals();
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.AddAudiences(auth.Audience);
                o.UseAspNetCore();
            });
        services.AddSingleton(sp => NodeKeys.LoadOrCreate(sp.GetRequiredService<NpgsqlDataSource>(), schema));
        services.AddOptions<OpenIddictServerOptions>().Configure<NodeKeys>((o, keys) =>
        {
            o.SigningCredentials.Add(new SigningCredentials(keys.Signing, SecurityAlgorithms.RsaSha256));
            o.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.Aes256KW,
                SecurityAlgorithms.Aes256CbcHmacSha512));
        });
    }

    /// <summary>The authorization server's endpoints and the sign-in page (none in external mode).</summary>
    public static void MapNodeIdentity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<NodeAuthenticationOptions>().External) return;
        app.MapTokenEndpoints();
        app.MapLoginPage();
    }
}

/// <summary>Creates the identity schema's tables at start-up when they are missing, as Marten does for its own.</summary>
internal sealed class IdentityStartup(IServiceProvider services, IdentitySchema schema, NpgsqlDataSource dataSource) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The identity context (EF Core builds its model on first use: most of a second) only when tables are missing.
        if (!await schema.MustCreateAsync(dataSource, cancellationToken)) return;
        await using var scope = services.CreateAsyncScope();
        await schema.CreateAsync(scope.ServiceProvider.GetRequiredService<NodeIdentityDb>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// External mode: the provider's role and facility claims (<see cref="NodeAuthenticationOptions.RoleClaim"/>,
/// <see cref="NodeAuthenticationOptions.FacilityClaim"/>) become the node's own — and only they: when the provider's
/// claim has another name, a <c>role</c> or <c>facility</c> claim the token happens to carry grants nothing.
/// </summary>
public sealed class ExternalClaims(NodeAuthenticationOptions options) : IClaimsTransformation
{
    public Task<System.Security.Claims.ClaimsPrincipal> TransformAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        if (principal.Identity is not System.Security.Claims.ClaimsIdentity identity || !identity.IsAuthenticated) return Task.FromResult(principal);
        // Claims transformation may run more than once per request: map once.
        if (identity.HasClaim(Mapped, "1")) return Task.FromResult(principal);
        Map(identity, options.RoleClaim, NodeClaims.Role);
        Map(identity, options.FacilityClaim, NodeClaims.Facility);
        identity.AddClaim(new System.Security.Claims.Claim(Mapped, "1"));
        return Task.FromResult(principal);
    }

    private const string Mapped = "seizureintel:external-claims-mapped";

    private static void Map(System.Security.Claims.ClaimsIdentity identity, string from, string to)
    {
        if (from == to) return;
        var given = identity.FindAll(from).Select(c => c.Value).ToList();
        foreach (var claim in identity.FindAll(to).ToList()) identity.RemoveClaim(claim);
        // A provider may put several values in one claim (space- or comma-separated, as some put groups): each counts.
        foreach (var value in given.SelectMany(v => v.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct())
            identity.AddClaim(new System.Security.Claims.Claim(to, value));
    }
}
