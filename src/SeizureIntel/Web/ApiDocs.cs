using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using SeizureIntel.Identity;
using SeizureIntel.Web.Shell;

namespace SeizureIntel.Web;

/// <summary>
/// The API's documentation as a product's: operations grouped by feature (not by C# class), each with a one-line
/// summary; Scalar served by the node with nothing fetched from the internet (no fonts, telemetry or agents).
/// </summary>
public static class ApiDocs
{
    /// <summary>Where the docs are served; the docs' sign-in comes back here (a redirect URI of the docs' client).</summary>
    public const string DocsPath = "/scalar/v1";

    /// <summary>The one security scheme of the document: the node's OAuth 2.0 endpoints (or the external provider's).</summary>
    public const string SecurityScheme = "node-sign-in";

    /// <summary>The scripts' scheme: client credentials at the same token endpoint.</summary>
    public const string ScriptSecurityScheme = "node-client";

    private static readonly Dictionary<string, string> Scopes = new()
    {
        ["openid"] = "who you are",
        ["profile"] = "your user name",
        ["roles"] = "your roles and facilities, which decide what each request may do",
    };

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
        ("/api/effort", "Search effort", "Screening work per facility and day or month (parcels X-rayed, visitors searched, cell searches…), recorded, corrected, voided or imported like seizures: the denominators of the finds-per-1,000-screenings rates."),
        ("/api/interventions", "Interventions", "The register of interventions (an X-ray scanner, a special inspection group) and their effect: an interrupted time series with controls, estimates with 95 % intervals and plain-language warnings."),
        ("/api/imports", "Import", "Historical seizures in bulk from CSV or XLSX: all or nothing by default, each refusal with its line and column, re-imports writing nothing twice."),
        ("/api/audit", "Audit", "Who read or changed what, when and from where, and every refused attempt: append-only, for auditors."),
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
                // Every /api operation needs a bearer token: a person signs in with the authorization code and PKCE
                // (the docs UI does it), a script with client credentials. Relative URLs: the node's own endpoints
                // wherever it is reached; the docs UI is given absolute ones per request (MapApiDocs).
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "Sign in with your node account: the node's sign-in page opens, and the token it gives carries your roles, which decide what each request may do (the README's 'Who may do what').",
                    Flows = new OpenApiOAuthFlows
                    {
                        AuthorizationCode = new OpenApiOAuthFlow
                        {
                            AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative),
                            TokenUrl = new Uri("/connect/token", UriKind.Relative),
                            Scopes = new Dictionary<string, string>(Scopes),
                        },
                    },
                };
                document.Components.SecuritySchemes[ScriptSecurityScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.OAuth2,
                    Description = "Scripts and service accounts: the client id and secret an administrator created for them (client credentials); the client's roles decide what each request may do.",
                    Flows = new OpenApiOAuthFlows
                    {
                        ClientCredentials = new OpenApiOAuthFlow
                        {
                            TokenUrl = new Uri("/connect/token", UriKind.Relative),
                            Scopes = new Dictionary<string, string>(),
                        },
                    },
                };
                // Either scheme will do (two requirement objects: alternatives, not both).
                document.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ScriptSecurityScheme, document)] = [] },
                ];
                // The server as the caller reached it, without the trailing slash that made "//api/..." of every path.
                foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
                return Task.CompletedTask;
            });
            // A body field with a default in its C# record (place, entry, location, …) is optional: not "required".
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // The allowed codes of a field are a link to their vocabulary (codes with English and Russian names).
                if (schema.Description is { Length: > 0 } described) schema.Description = LinkVocabularies(described);
                if (context.JsonTypeInfo.Type == typeof(global::SeizureIntel.Seizures.Recording.RecordSeizure))
                    schema.Examples = [System.Text.Json.Nodes.JsonNode.Parse(RecordSeizureExample)!];
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
                // A route under no listed prefix still gets a tag a person reads (its first segment), never a C# class
                // name; ApiDocsTests fails until the prefix is listed above with what the group is for.
                var tag = feature.Tag ?? Humanize(path);
                operation.Tags = new HashSet<OpenApiTagReference> { new(tag, context.Document, null) };
                if (operation.Description is { Length: > 0 } text) operation.Description = LinkVocabularies(text);
                // A sidebar line a person reads: the description's first sentence when no summary was written.
                if (string.IsNullOrWhiteSpace(operation.Summary) && operation.Description is { Length: > 0 } description)
                {
                    var end = description.IndexOf(". ", StringComparison.Ordinal);
                    operation.Summary = (end > 0 ? description[..end] : description.TrimEnd('.')).Trim();
                }
                return Task.CompletedTask;
            });
        });

    /// <summary>A seizure as an officer at SIZO-1 records it (the founding document's kind of find), for the docs' "Send".</summary>
    private const string RecordSeizureExample = """
        {"facilityId":"SIZO-1","occurredAt":"2015-03-14T10:30:00+06:00","substance":"heroin","quantity":{"value":12.5,"unit":"g"},
         "detection":"visitor-search","place":"visits","concealment":"in-food","notes":"found in a parcel handed in at visiting"}
        """;

    private static readonly System.Text.RegularExpressions.Regex Vocabulary =
        new(@"(?<![\[(])/api/reference/([a-z][a-z-]+)", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>"/api/reference/substances" in a description becomes a Markdown link to that vocabulary.</summary>
    public static string LinkVocabularies(string text) => Vocabulary.Replace(text, m => $"[{m.Value}]({m.Value})");

    private static string Humanize(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 1 && segments[0] == "api" ? segments[1] : segments.FirstOrDefault() ?? "other";
        var words = first.Replace('-', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    public static void MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        var auth = app.Services.GetRequiredService<NodeAuthenticationOptions>();
        app.MapScalarApiReference(async (options, http) =>
        {
            var origin = $"{http.Request.Scheme}://{http.Request.Host}";
            // The node's own endpoints as the browser reaches the node; an external provider's from its discovery document.
            var (authorize, token) = (origin + "/connect/authorize", origin + "/connect/token");
            if (auth.External)
            {
                var oidc = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(WebSignIn.OidcScheme);
                var discovered = await oidc.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
                (authorize, token) = (discovered.AuthorizationEndpoint, discovered.TokenEndpoint);
            }
            options
            .WithTitle("SeizureIntel API")
            // Sign in from the docs: the node's own sign-in page (or the agency's provider) in a pop-up, the code
            // exchanged with PKCE by the docs' public client; the token then rides on every "Send". It is kept in the
            // tab's memory only (not persisted), so closing the tab signs the docs out.
            .AddPreferredSecuritySchemes([SecurityScheme])
            .WithAllowedSecuritySchemes([SecurityScheme])
            .AddAuthorizationCodeFlow(SecurityScheme, flow =>
            {
                flow.ClientId = Accounts.DocsClientId;
                flow.Pkce = Pkce.Sha256;
                flow.AuthorizationUrl = authorize;
                flow.TokenUrl = token;
                flow.RedirectUri = origin + DocsPath;
                flow.SelectedScopes = [.. Scopes.Keys];
            })
            .HideClientButton()
            .HideDeveloperTools()
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl)
            .WithOperationTitleSource(OperationTitleSource.Summary);
        });
    }
}
