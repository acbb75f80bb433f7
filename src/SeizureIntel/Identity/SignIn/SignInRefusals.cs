using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SeizureIntel.Identity.SignIn;

/// <summary>
/// Where a refused sign-in goes (who tried, from where, why; never the password, secret or code): the audit
/// implements it (Audit/SignInAudit.cs), so Identity records refusals without depending on the audit's storage.
/// </summary>
public interface ISignInRefusals
{
    void Refused(HttpContext context, string? user, int status, string reason);
}

public static class SignInRefusals
{
    /// <summary>A refused sign-in, to whatever records them (nothing, where no audit is configured).</summary>
    public static void Refused(HttpContext context, string? user, int status, string reason) =>
        context.RequestServices.GetService<ISignInRefusals>()?.Refused(context, user, status, reason);

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
