using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Identity.SignIn;

/// <summary>
/// The authorization server's own decisions, after OpenIddict has checked the protocol (client, secret, PKCE, redirect
/// URI): who the token is for and what it carries. Discovery (<c>/.well-known/openid-configuration</c>) and the keys
/// (<c>/.well-known/jwks</c>) are OpenIddict's.
/// </summary>
public static class TokenEndpoints
{
    public const string Authorize = "connect/authorize";
    public const string Token = "connect/token";
    public const string EndSession = "connect/endsession";

    public static void MapTokenEndpoints(this WebApplication app)
    {
        app.MapMethods("/" + Authorize, ["GET", "POST"], AuthorizeAsync).ExcludeFromDescription();
        app.MapPost("/" + Token, TokenAsync).ExcludeFromDescription();
        app.MapMethods("/" + EndSession, ["GET", "POST"], EndSessionAsync).ExcludeFromDescription();
    }

    /// <summary>Authorization code flow: a signed-in user (the sign-in page's cookie) gets a code; anyone else signs in first.</summary>
    private static async Task<IResult> AuthorizeAsync(HttpContext context, UserManager<NodeUser> users, SignInManager<NodeUser> signIns)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        var cookie = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = cookie.Succeeded ? await users.GetUserAsync(cookie.Principal) : null;
        if (user is null || !await signIns.CanSignInAsync(user) || await users.IsLockedOutAsync(user))
        {
            var back = context.Request.PathBase + context.Request.Path +
                       QueryString.Create(context.Request.HasFormContentType ? context.Request.Form.ToList() : context.Request.Query.ToList());
            return Results.Challenge(new AuthenticationProperties { RedirectUri = back }, [IdentityConstants.ApplicationScheme]);
        }
        var principal = await NodeClaims.ForUserAsync(user, users, request.GetScopes());
        return Results.SignIn(principal, null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>Client credentials for scripts and service accounts; the authorization code exchanged by the web application.</summary>
    private static async Task<IResult> TokenAsync(HttpContext context, UserManager<NodeUser> users, IOpenIddictApplicationManager applications)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!)
                              ?? throw new InvalidOperationException("OpenIddict admitted an unknown client");
            var properties = await applications.GetPropertiesAsync(application);
            return Results.SignIn(NodeClaims.ForClient(request.ClientId!, properties, request.GetScopes()), null,
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        if (request.IsAuthorizationCodeGrantType())
        {
            // The code names the user; the token carries their roles as they are now, and a locked account gets none.
            var code = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var name = code.Principal?.GetClaim(Claims.Subject);
            var user = name is null ? null : await users.FindByNameAsync(name);
            if (user is null || await users.IsLockedOutAsync(user))
                return Refuse(Errors.InvalidGrant, "The user no longer exists or is locked out.");
            return Results.SignIn(await NodeClaims.ForUserAsync(user, users, code.Principal!.GetScopes()), null,
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        return Refuse(Errors.UnsupportedGrantType, "Only client_credentials and authorization_code are supported.");
    }

    private static async Task<IResult> EndSessionAsync(HttpContext context, SignInManager<NodeUser> signIns)
    {
        await signIns.SignOutAsync();
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
