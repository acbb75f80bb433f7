using SeizureIntel.Identity;
using SeizureIntel.Identity.SignIn;

namespace SeizureIntel.Audit;

/// <summary>
/// Refused sign-ins in the audit (issue 12, point 3: "every refused attempt"): a token request the node's token endpoint
/// turns down (unknown client or wrong secret, a spent or wrong authorization code, a locked account, an unsupported
/// grant) and a refused attempt on the sign-in page (wrong password, locked account, wrong authenticator code) are
/// recorded like a refused API request — who tried (the client id or the user name given), when, from where, the path
/// and why — never with the secret, password or code that was tried.
/// </summary>
public sealed class SignInAudit : ISignInRefusals
{
    private const int MaxName = 200;

    public void Refused(HttpContext context, string? user, int status, string reason)
    {
        var name = string.IsNullOrWhiteSpace(user) ? Actor.Anonymous : user.Trim();
        if (name.Length > MaxName) name = name[..MaxName];
        context.RequestServices.GetRequiredService<AuditLog>().Record(new AuditEntry(DateTimeOffset.UtcNow, name, "",
            context.Request.Method, context.Request.Path.Value ?? "", null, status,
            status >= 500 ? AuditOutcomes.Failed : AuditOutcomes.Refused, context.Connection.RemoteIpAddress?.ToString(), reason));
    }
}
