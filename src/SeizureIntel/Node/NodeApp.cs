using SeizureIntel.Imports;
using SeizureIntel.Intelligence.Interventions;
using SeizureIntel.Intelligence.Effort;
using SeizureIntel.Audit;
using SeizureIntel.Demo;
using SeizureIntel.Identity;
using SeizureIntel.Linking;
using SeizureIntel.Operations;
using SeizureIntel.Reports.Annual;
using SeizureIntel.Node.Telemetry;
using SeizureIntel.Web;
using Wolverine.Http;

namespace SeizureIntel.Node;

/// <summary>
/// How a node is put together, in one place: Program.cs builds its node here (and then runs it, or a command), and
/// benchmark commands build further nodes here to run several in one process with exactly the same wiring.
/// </summary>
public static class NodeApp
{
    /// <summary>
    /// Builds (does not start) a node. Settings come from appsettings.json beside the binary, then the environment,
    /// then <paramref name="args"/> (e.g. <c>--SeizureIntel:Agency=SSDC</c>, <c>--urls=http://127.0.0.1:0</c>).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // Which agency this node serves, its database and its port (section "SeizureIntel").
        var node = builder.AddNode();

        // Body size (413) and rate (429) limits on every request (Node/RequestLimits.cs).
        builder.AddRequestLimits(node);

        // Marten: one event stream per seizure, projections to per-facility and per-year read models.
        builder.AddEventStore(node);
        // While its daemon runs the node holds its store's daemon lock: `projections rebuild` refuses meanwhile.
        DaemonLockSetup.AddDaemonLock(builder);
        // The read models are recomputed from the events on a schedule; a difference turns /health degraded.
        builder.Services.AddHostedService<PeriodicVerification>();

        // Joint operations: one event stream per operation, in the same store; seizures join them through the Linking module.
        builder.AddJointOperations();
        builder.AddSeizureOperationLinks();

        // Search effort (screenings per facility and day or month) and the intervention register: one stream per entry.
        builder.AddSearchEffort();
        builder.AddInterventions();

        // Wolverine: handlers, HTTP endpoints, the durable outbox and inbox, sharing with partner nodes.
        builder.AddMessaging(node);

        // Reports: the annual comparison report (HTML, CSV, XLSX), over HTTP and on the command line.
        builder.AddReports();
        builder.AddImports();
        // After a large import the read models are rebuilt blue/green at once instead of event batch by batch (Intelligence/Ledger/ImportCatchUp.cs).
        builder.Services.AddSingleton(node.ReadModels);
        builder.Services.AddSingleton<Imports.IAfterImport, Intelligence.Ledger.ImportCatchUp>();

        // Synthetic demo data, loaded at start-up only when SeizureIntel:LoadDemoData is true.
        builder.AddDemoData(node.LoadDemoData);

        // Sign-in: the node's own OpenID Connect provider (or an external one), roles and facility assignments as claims,
        // and the access matrix every /api route is authorized from (Identity/).
        builder.AddNodeIdentity(node.Authentication, node.Schema, node.SchemaChecksAtStart);
        builder.Services.AddAuthorization(AccessPolicy.Define);

        // The audit of every API request, allowed or refused, in an append-only table the auditor reads (Audit/).
        builder.AddAudit(node.Schema, node.SchemaChecksAtStart);

        // OpenTelemetry traces and metrics, the operator's figures, and the Prometheus scrape endpoint (Telemetry/).
        builder.AddTelemetry(node);

        // OpenAPI document at /openapi/v1.json, browsable at /scalar/v1, grouped by feature (Web/ApiDocs.cs).
        builder.AddApiDocs();

        // The web application for officers, analysts and working groups, at / (Web/WebSetup.cs).
        builder.AddWebApp();

        // On the owner login (an owner pass or `schema apply`): after every schema change, the runtime login's grants (last).
        builder.AddRuntimeGrants(node);
        // First of all at start-up: a store not applied yet, on a login that may not apply it, stops the start with what to do.
        builder.AddSchemaPresence();

        var app = builder.Build();
        app.MapApiDocs();
        app.UseExceptionHandler();
        app.UseRequestLimits();
        app.MapHealthChecks("/health", HealthAnswer.Options);
        app.UseAuthentication();
        app.UseAudit();
        app.UseAuthorization();
        app.MapNodeIdentity();
        app.MapTelemetry();
        app.MapWolverineEndpoints(http =>
        {
            // Who may call what: every /api route from the one table (Identity/AccessMatrix.cs).
            http.AddPolicy<AccessPolicy>();
            // Every endpoint that takes the acting user gets it from one place.
            http.AddPolicy<ActorPolicy>();
        });
        app.MapWebApp();
        return app;
    }
}
