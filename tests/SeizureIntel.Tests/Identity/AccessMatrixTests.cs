using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// The authorization matrix, built from the node's own OpenAPI document: an operation the document lists but the access
/// matrix does not name fails here; every operation × every role (each a real API client holding that role alone) × no
/// token answers as <see cref="AccessMatrix"/> says — 401 anonymous, 403 for a role it does not name, and for a role it
/// names an answer of the operation itself (never 401, 403 or 500).
/// </summary>
public sealed class AccessMatrixTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static readonly Dictionary<string, string> Samples = new()
    {
        ["id"] = "0197a3c2-0000-7000-8000-000000000001", ["seizureId"] = "0197a3c2-0000-7000-8000-000000000002",
        ["year"] = "2015", ["facilityId"] = "SIZO-1", ["code"] = "KG-C", ["vocabulary"] = "substances",
        ["reference"] = "SSEP-2015-000001", ["agency"] = "SSDC",
    };

    private async Task<List<(string Method, string Route)>> OperationsAsync()
    {
        using var http = Host.Server.CreateClient();
        http.DefaultRequestHeaders.Add(TestTokens.AnonymousHeader, "1");
        var document = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync("/openapi/v1.json"));
        return document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/"))
            .SelectMany(p => p.Value.EnumerateObject()
                .Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete")
                .Select(m => (m.Name.ToUpperInvariant(), p.Name)))
            // Not an API operation (Prometheus' text, not in the API document) but protected by the same table.
            .Append(("GET", SeizureIntel.Node.Telemetry.TelemetrySetup.MetricsPath))
            .ToList();
    }

    [Fact]
    public async Task every_operation_of_the_api_document_has_an_entry_and_every_entry_an_operation()
    {
        var operations = (await OperationsAsync()).Select(o => AccessMatrix.Key(o.Method, o.Route)).ToList();
        operations.Except(AccessMatrix.Table.Keys).ShouldBeEmpty("operations without an entry in Identity/AccessMatrix.cs");
        AccessMatrix.Table.Keys.Except(operations).ShouldBeEmpty("entries of Identity/AccessMatrix.cs without an operation");
    }

    [Fact]
    public async Task every_operation_answers_every_role_and_no_token_as_the_matrix_says()
    {
        var tokens = new Dictionary<string, string>();
        foreach (var role in Roles.All)
            tokens[role] = await TestTokens.ClientTokenAsync(Host, $"matrix-{role}", [role], [NodeClaims.AllFacilities]);

        var wrong = new List<string>();
        foreach (var (method, route) in await OperationsAsync())
        {
            var path = Samples.Aggregate(route, (r, s) => r.Replace("{" + s.Key + "}", s.Value));
            var allowed = AccessMatrix.RolesFor(method, route);
            foreach (var role in Roles.All.Prepend(null))
            {
                using var http = Host.Server.CreateClient();
                if (role is null) http.DefaultRequestHeaders.Add(TestTokens.AnonymousHeader, "1");
                else http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[role]);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method != "GET") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                var status = (int)(await http.SendAsync(request)).StatusCode;
                var ok = role is null ? status == 401
                    : allowed.Contains(role) ? status is not (401 or 403) && status < 500
                    : status == 403;
                if (!ok) wrong.Add($"{method} {route} as {role ?? "anonymous"}: {status}");
            }
        }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void the_readme_table_is_the_matrix()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        readme.ShouldContain(AccessMatrix.MarkdownTable(), customMessage:
            "README.md's 'Who may do what' table must be AccessMatrix.MarkdownTable() (regenerate it from the matrix)");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
