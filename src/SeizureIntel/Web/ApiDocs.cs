using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace SeizureIntel.Web;

/// <summary>
/// The API's documentation as a product's: operations grouped by feature (not by C# class), each with a one-line
/// summary; Scalar served by the node with nothing fetched from the internet (no fonts, telemetry or agents).
/// </summary>
public static class ApiDocs
{
    /// <summary>Route prefix → the feature it belongs to, with what the group is for. First match wins.</summary>
    private static readonly (string Prefix, string Tag, string Description)[] Features =
    [
        ("/api/seizures", "Seizures", "Record a seizure, find it by reference, correct or void it with a reason, hand the evidence over, send it to the lab and record the result. Changes send the ETag back in If-Match."),
        ("/api/operations", "Joint operations", "Plan, launch and conclude an operation with partner agencies; link seizures; record arrests and criminal cases."),
        ("/api/years", "Analysis", "Figures from the read models: year and facility summaries, trends, year-on-year comparison, intervention impact, hot spots."),
        ("/api/facilities/{facilityId}/", "Analysis", ""),
        ("/api/trends", "Analysis", ""),
        ("/api/compare", "Analysis", ""),
        ("/api/impact", "Analysis", ""),
        ("/api/hotspots", "Analysis", ""),
        ("/api/projections", "Analysis", ""),
        ("/api/reports", "Reports", "The annual comparison report (HTML, CSV, XLSX), as at any cut-off."),
        ("/api/sharing", "Sharing", "What this node shares with partner agencies under their MOUs, and how delivery stands."),
        ("/api/facilities", "Reference data", "Facilities, oblast boundaries, vocabularies (substances, units, detection methods…) with English and Russian names, and the quantity conversion tables."),
        ("/api/oblasts", "Reference data", ""),
        ("/api/reference", "Reference data", ""),
    ];

    public static void AddApiDocs(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "SeizureIntel API";
                document.Info.Description =
                    "Each agency's node of the inter-agency drug seizure intelligence service. Errors are RFC 9457 problem details naming each bad field; nothing is written when a request is refused. Instants carry their offset; seizures count by their local date in Asia/Bishkek. Codes: see Reference data (English and Russian names are accepted as input too).";
                document.Tags = new HashSet<OpenApiTag>(Features.Where(f => f.Description.Length > 0)
                    .Select(f => new OpenApiTag { Name = f.Tag, Description = f.Description }));
                return Task.CompletedTask;
            });
            // A body field with a default in its C# record (place, entry, location, …) is optional: not "required".
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (schema.Required is not { Count: > 0 } required) return Task.CompletedTask;
                foreach (var property in context.JsonTypeInfo.Properties)
                    if (property.AssociatedParameter is { HasDefaultValue: true })
                        required.Remove(property.Name);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
                var feature = Features.FirstOrDefault(f => path.StartsWith(f.Prefix, StringComparison.OrdinalIgnoreCase));
                if (feature.Tag is not null)
                    operation.Tags = new HashSet<OpenApiTagReference> { new(feature.Tag, context.Document, null) };
                // A sidebar line a person reads: the description's first sentence when no summary was written.
                if (string.IsNullOrWhiteSpace(operation.Summary) && operation.Description is { Length: > 0 } description)
                {
                    var end = description.IndexOf(". ", StringComparison.Ordinal);
                    operation.Summary = (end > 0 ? description[..end] : description.TrimEnd('.')).Trim();
                }
                return Task.CompletedTask;
            });
        });

    public static void MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options
            .WithTitle("SeizureIntel API")
            .HideClientButton()
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
            .WithOperationTitleSource(OperationTitleSource.Summary));
    }
}
