using JasperFx;
using Scalar.AspNetCore;
using SeizureIntel.Demo;
using SeizureIntel.Node;
using SeizureIntel.Operations;
using SeizureIntel.Reports.Annual;
using Wolverine.Http;

// Settings come from appsettings.json beside the binary, then the environment, then the command line.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Which agency this node serves, its database and its port (section "SeizureIntel").
var node = builder.AddNode();

// Marten: one event stream per seizure, projections to per-facility and per-year read models.
builder.AddEventStore(node);

// Joint operations: one event stream per operation, in the same store.
builder.AddJointOperations();

// Wolverine: handlers, HTTP endpoints, the durable outbox and inbox, sharing with partner nodes.
builder.AddMessaging(node);

// Reports: the annual comparison report (HTML, CSV, XLSX), over HTTP and on the command line.
builder.AddReports();

// Synthetic demo data, loaded at start-up only when SeizureIntel:LoadDemoData is true.
builder.AddDemoData(node);

// OpenAPI document at /openapi/v1.json, browsable at /scalar/v1.
builder.Services.AddOpenApi();

var app = builder.Build();
app.MapOpenApi();
app.MapScalarApiReference();
app.MapGet("/", () => Results.Redirect("/scalar/v1")).ExcludeFromDescription();
app.MapHealthChecks("/health");
app.MapWolverineEndpoints();

// Also the command line: db-apply, projections --rebuild, describe, codegen, ...
return await app.RunJasperFxCommands(args);

/// <summary>Entry point; public so that tests can boot the real host.</summary>
public partial class Program;
