using SeizureIntel.Identity;

namespace SeizureIntel.Audit;

/// <summary>Wires the audit: the log and its writer, and the step that records every API request once it is answered.</summary>
public static class AuditSetup
{
    /// <param name="builder">The node's builder.</param>
    /// <param name="schema">The node's schema, where the audit table lives.</param>
    /// <param name="applySchema">False on a runtime login that may not change the schema: the owner login made the table.</param>
    public static void AddAudit(this WebApplicationBuilder builder, string schema, bool applySchema = true)
    {
        builder.Services.AddSingleton(new AuditSchema(schema, applySchema));
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<SeizureIntel.Identity.SignIn.ISignInRefusals, SignInAudit>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
    }

    /// <summary>
    /// Records every request under <c>/api</c> after it is answered — reads of seizures, histories, reports and the audit
    /// itself, every change, and every refusal (401 without a token, 403 without the role, 404) — with the authenticated
    /// subject, roles, method, path and query, status, outcome and the caller's address. Put it after authentication
    /// and before authorization, so refusals by policy pass through it.
    /// </summary>
    public static void UseAudit(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<AuditLog>();
        app.Use(async (HttpContext context, Func<Task> next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next();
                return;
            }
            var failed = false;
            try
            {
                await next();
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
                var principal = context.User;
                var signedIn = principal.Identity?.IsAuthenticated == true;
                var user = signedIn ? principal.FindFirst(NodeClaims.Subject)?.Value ?? principal.Identity!.Name ?? Actor.Anonymous : Actor.Anonymous;
                var roles = string.Join(' ', principal.FindAll(NodeClaims.Role).Select(c => c.Value).Distinct().Order(StringComparer.Ordinal));
                log.Record(new AuditEntry(DateTimeOffset.UtcNow, user, roles, context.Request.Method, context.Request.Path.Value ?? "",
                    context.Request.QueryString.HasValue ? context.Request.QueryString.Value : null, status, AuditOutcomes.Of(status),
                    context.Connection.RemoteIpAddress?.ToString()));
            }
        });
    }
}
