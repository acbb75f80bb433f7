using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using SeizureIntel.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Audit;

/// <summary>
/// Refused sign-ins in the audit (issue 12, point 3: "every refused attempt"): a token request the node's token endpoint
/// turns down (unknown client or wrong secret, a spent or wrong authorization code, a locked account, an unsupported
/// grant) and a refused attempt on the sign-in page (wrong password, locked account, wrong authenticator code) are
/// recorded like a refused API request — who tried (the client id or the user name given), when, from where, the path
/// and why — never with the secret, password or code that was tried.
/// </summary>
public static class SignInAudit
{
    /// <summary>The longest user name recorded as given (anything may be typed into the form).</summary>
    private const int MaxName = 200;

    /// <summary>Records a refused sign-in of <paramref name="user"/> (as given; null: none given) on this request.</summary>
    public static void Refused(HttpContext context, string? user, int status, string reason)
    {
        var name = string.IsNullOrWhiteSpace(user) ? Actor.Anonymous : user.Trim();
        if (name.Length > MaxName) name = name[..MaxName];
        context.RequestServices.GetRequiredService<AuditLog>().Record(new AuditEntry(DateTimeOffset.UtcNow, name, "",
            context.Request.Method, context.Request.Path.Value ?? "", null, status,
            status >= 500 ? AuditOutcomes.Failed : AuditOutcomes.Refused, context.Connection.RemoteIpAddress?.ToString(), reason));
    }

    /// <summary>
    /// Hooks the token endpoint's error answers (OpenIddict renders them itself, before the node's own pipeline): every
    /// token response that carries an OAuth error is recorded with the client id, the status OpenIddict answers with and
    /// the error and its description.
    /// </summary>
    public static void AuditTokenRefusals(this OpenIddictServerBuilder server) =>
        server.AddEventHandler<OpenIddictServerEvents.ApplyTokenResponseContext>(handler => handler.UseInlineHandler(context =>
        {
            if (string.IsNullOrEmpty(context.Response.Error)) return default;
            var http = context.Transaction.GetHttpRequest()?.HttpContext;
            if (http is null) return default;
            Refused(http, context.Request?.ClientId, StatusOf(context.Response.Error),
                string.IsNullOrEmpty(context.Response.ErrorDescription) ? context.Response.Error : $"{context.Response.Error}: {context.Response.ErrorDescription}");
            return default;
        }).SetOrder(int.MinValue + 100_000).SetType(OpenIddictServerHandlerType.Custom));

    /// <summary>The status OpenIddict answers an error with (its ASP.NET Core host's rule).</summary>
    private static int StatusOf(string error) => error switch
    {
        Errors.InvalidClient or Errors.InvalidToken or Errors.MissingToken => StatusCodes.Status401Unauthorized,
        Errors.AccessDenied or Errors.InsufficientAccess or Errors.InsufficientScope => StatusCodes.Status403Forbidden,
        Errors.ServerError => StatusCodes.Status500InternalServerError,
        Errors.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };
}
