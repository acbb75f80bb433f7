using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SeizureIntel.Node;

/// <summary>
/// /health as plain text: "Healthy" when all is well, else the status and what is wrong, naming it, one check a line
/// ("Degraded" + "ledger: projection SeizureLedger parked 1 poison event(s) …"). 200 for healthy and degraded (the
/// node serves), 503 for unhealthy (its database does not answer).
/// </summary>
public static class HealthAnswer
{
    public static HealthCheckOptions Options => new() { ResponseWriter = WriteAsync };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = new List<string> { report.Status.ToString() };
        lines.AddRange(report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}"));
        return context.Response.WriteAsync(string.Join('\n', lines));
    }
}
