using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SeizureIntel.Identity;
using SeizureIntel.Node;

namespace SeizureIntel.Node.Telemetry;

/// <summary>
/// OpenTelemetry for a node: traces and metrics from ASP.NET Core (request rate and latency per route), Marten (sessions,
/// appended events, the daemon), Wolverine (messages sent, handled, failed), Npgsql and the runtime, and the figures an
/// operator watches (<see cref="OperatorFigures"/>). Metrics are scraped by Prometheus at <c>GET /metrics</c>, which only a
/// token holding the <c>monitoring</c> role (or admin) may read (Identity/AccessMatrix.cs). Traces (and metrics) are also
/// pushed over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (e.g. to a collector, Jaeger or Tempo).
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The scrape path (Prometheus' own default).</summary>
    public const string MetricsPath = IdentitySetup.MetricsPath;

    public static void AddTelemetry(this WebApplicationBuilder builder, NodeOptions node)
    {
        builder.Services.AddSingleton<OperatorFigures>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperatorFigures>());
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"seizureintel-{node.Agency.ToLowerInvariant()}",
                serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrape(context))
                    .AddSource("Marten", "Wolverine*")
                    .AddNpgsql();
                if (otlp) tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter("Marten", "Wolverine*", OperatorFigures.MeterName)
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (otlp) metrics.AddOtlpExporter();
            });
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format, for the roles Identity/AccessMatrix.cs names (a scraper signs in with
    /// client credentials, as Prometheus' <c>oauth2</c> scrape setting does). Outside /api, so scrapes are not audited.
    /// </summary>
    public static void MapTelemetry(this WebApplication app)
    {
        var roles = AccessMatrix.RolesFor("GET", MetricsPath);
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(AccessMatrix.PolicyName(roles));
    }

    private static bool IsScrape(HttpContext context) => context.Request.Path.StartsWithSegments(MetricsPath);
}
