using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Npgsql;
using SeizureIntel.Imports;
using SeizureIntel.Tests.Operations;
using SeizureIntel.Tests.Support;
using Xunit.Abstractions;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 6: a property-based test with its own seeded generator. It reads the node's OpenAPI document and
/// drives every operation in it with random and boundary bodies, path and query parameters and If-Match headers.
/// Properties: never a 5xx; every refusal (4xx) leaves the event count and every read model exactly as they were.
/// The seed is printed; set SEIZUREINTEL_FUZZ_SEED to replay a run, SEIZUREINTEL_FUZZ_ROUNDS for more rounds.
/// </summary>
public sealed class FuzzTests(NodeFixture fixture, ITestOutputHelper output) : OperationTest(fixture)
{
    /// <summary>
    /// The seed every ordinary run replays, so that CI is repeatable; other seeds are explored with
    /// SEIZUREINTEL_FUZZ_SEED (each one that finds a failure becomes a bug to fix, then a regression seed).
    /// </summary>
    private const int DefaultSeed = 5736654;

    private static readonly string[] Strings =
    [
        "", " ", "heroin", "HEROIN", "Героин", "SIZO-1", "sizo-1", "SSEP", "ssdc", "kg", "KG", "tablet", "visitor-search", "joint-operation",
        "named-partners", "H0", "h3", "H9", "2015-03-14T10:30:00+06:00", "2015-03-14T10:30:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2015-03-14", "0001-01-01", "2015", "0001", "99999999999", "-1", "0", "1e308", "NaN", "null", "true", "'; drop table mt_events; --",
        "\u0000", "%00", "../../etc/passwd", "0192a5e4-7b1c-7c3e-9f00-3b2d1e4f5a6b", "00000000-0000-0000-0000-000000000000",
        new string('x', 5000), "KG-C", "kg-y", "Polygon", "Point",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-1", "1", "1.5", "0.000001", "0.0000001", "250000", "250001", "79000000000000000000000000000", "1e30", "-1e30", "1e-30",
        "2147483647", "2147483648", "-2147483649", "9223372036854775808", "3.14159265358979323846264338327950288", "100", "101",
    ];

    private static readonly string[] RawBodies = ["", "null", "[", "{", "{\"a\":", "[]", "[null]", "\"text\"", "42", "{}", "{\"reason\":null}", "\u00ff\u00fe"];

    [Fact]
    public async Task every_operation_with_random_and_boundary_input_never_answers_5xx_nor_writes_on_refusal()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SEIZUREINTEL_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("SEIZUREINTEL_FUZZ_ROUNDS"), out var r) ? r : 30;
        output.WriteLine($"seed {seed}, {rounds} rounds per operation");
        var random = new Random(seed);

        // Something to act on: a seizure, a duplicate candidate and a launched joint operation.
        var seizure = await RecordAsync(Body());
        var other = await RecordAsync(Body(value: 2m));
        var (operation, _) = await LaunchedAsync();
        await WaitForProjectionsAsync();
        var ids = new[] { seizure.Id.ToString(), other.Id.ToString(), operation.ToString(), Guid.NewGuid().ToString(), "not-a-guid", "0", "" };

        var doc = await GetJsonAsync("/openapi/v1.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var operations = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "delete" or "patch")
                .Select(m => (Path: p.Name, Method: m.Name, Spec: m.Value)))
            .ToList();
        operations.Count.ShouldBeGreaterThan(30);

        var fingerprint = await FingerprintAsync();
        int requests = 0, refused = 0, accepted = 0;
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var started = DateTime.UtcNow;
        foreach (var (path, method, spec) in operations)
        {
            for (var round = 0; round < rounds; round++)
            {
                var url = Url(path, spec, ids, random);
                var body = method == "get" ? null : Body(spec, schemas, random);
                var ifMatch = random.Next(4) switch { 0 => null, 1 => "\"1\"", 2 => $"\"{random.Next(-2, 5)}\"", _ => Pick(random, ["*", "abc", "\"\"", "W/\"1\""]) };
                var result = await Host.Scenario(x =>
                {
                    // Alba's ToUrl takes a path only: a query left in it is escaped into the path ("%3F"), so the request
                    // missed its route (a POST /api/imports?… answered 405 from the GET-only page fallback). Split it off.
                    var (route, query) = SplitQuery(url);
                    var send = method switch
                    {
                        "get" => x.Get.Url(url),
                        "delete" => x.Delete.Url(route),
                        "put" => x.Put.Text(body ?? "").ToUrl(route),
                        _ => x.Post.Text(body ?? "").ToUrl(route),
                    };
                    if (method != "get")
                        foreach (var (key, value) in query) send.QueryString(key, value);
                    if (method != "get") x.WithRequestHeader("Content-Type", "application/json");
                    if (ifMatch is not null) x.WithRequestHeader("If-Match", ifMatch);
                    x.WithRequestHeader("X-User", "fuzz-" + random.Next(3));
                    x.IgnoreStatusCode();
                });
                requests++;
                var status = result.Context.Response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500)
                {
                    failures.Add($"{status} {method.ToUpperInvariant()} {url} If-Match {ifMatch} body {Cut(body)}: {Cut(await result.ReadAsTextAsync())}");
                    continue;
                }
                if (method == "get") continue;
                if (status is >= 200 and < 300)
                {
                    accepted++;
                    // An accepted import (202) is written later by the background ImportQueue; the next refusal's "before"
                    // must include those writes, so wait for the queue to finish them before taking it.
                    await WaitForImportsAsync();
                    await WaitForProjectionsAsync();
                    fingerprint = await FingerprintAsync();
                    continue;
                }
                refused++;
                var after = await FingerprintAsync();
                if (after != fingerprint)
                    failures.Add($"partial write on {status}: {method.ToUpperInvariant()} {url} body {Cut(body)}: {fingerprint} -> {after}");
                fingerprint = after;
            }
        }
        output.WriteLine($"{operations.Count} operations, {requests} requests in {(DateTime.UtcNow - started).TotalSeconds:F0} s: " +
                         $"{refused} writes refused, {accepted} accepted; statuses {string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}"))}");
        failures.ShouldBeEmpty($"seed {seed}:\n{string.Join("\n", failures.Take(20))}");
    }

    private static (string Route, List<(string Key, string Value)> Query) SplitQuery(string url)
    {
        var mark = url.IndexOf('?');
        if (mark < 0) return (url, []);
        var query = url[(mark + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""))
            .ToList();
        return (url[..mark], query);
    }

    /// <summary>Until no import is queued, validating or writing (the background queue has done all it was given).</summary>
    private async Task WaitForImportsAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var session = Store.QuerySession();
            if (!await session.Query<SeizureImport>().AnyAsync(i =>
                    i.Status == ImportStatus.Queued || i.Status == ImportStatus.Validating || i.Status == ImportStatus.Writing)) return;
            if (DateTime.UtcNow > until) throw new TimeoutException("imports still running after 60 s");
            await Task.Delay(100);
        }
    }

    private static string Cut(string? text) => text is null ? "-" : text.Length > 300 ? text[..300] + "…" : text;

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Url(string path, JsonElement spec, string[] ids, Random random)
    {
        var url = new StringBuilder();
        foreach (var segment in path.Split('/'))
        {
            if (url.Length > 0 || segment.Length > 0) url.Append('/');
            if (!segment.StartsWith('{')) { url.Append(segment); continue; }
            var value = segment switch
            {
                "{id}" => random.Next(5) == 0 ? Pick(random, Strings) : Pick(random, ids),
                "{year}" => Pick(random, ["2015", "0", "-1", "1990", "99999999999", "abc", "2014"]),
                _ => Pick(random, Strings),
            };
            // A NUL in a URL is refused by the test server's client before it is sent (Kestrel answers 400).
            url.Append(Uri.EscapeDataString(value.Length == 0 || value.Contains('\0') ? "x" : value));
        }
        if (spec.TryGetProperty("parameters", out var parameters))
        {
            var query = parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query" && random.Next(3) > 0)
                .Select(p => $"{p.GetProperty("name").GetString()}={Uri.EscapeDataString(random.Next(2) == 0 ? Pick(random, Strings).Replace("\0", "") : Pick(random, Numbers))}");
            var q = string.Join('&', query);
            if (q.Length > 0) url.Append('?').Append(q);
        }
        return url.ToString();
    }

    private static string? Body(JsonElement spec, JsonElement schemas, Random random)
    {
        if (random.Next(8) == 0) return Pick(random, RawBodies);
        if (!spec.TryGetProperty("requestBody", out var requestBody) ||
            !requestBody.GetProperty("content").TryGetProperty("application/json", out var json)) return random.Next(2) == 0 ? "{}" : null;
        return Value(json.GetProperty("schema"), schemas, random, 0)?.ToJsonString() ?? "null";
    }

    /// <summary>A value for a schema: usually of its type (boundary values first), sometimes null, of another type, or absent.</summary>
    private static JsonNode? Value(JsonElement schema, JsonElement schemas, Random random, int depth)
    {
        if (schema.TryGetProperty("$ref", out var reference))
            return Value(schemas.GetProperty(reference.GetString()!.Split('/')[^1]), schemas, random, depth);
        foreach (var alternative in new[] { "oneOf", "anyOf", "allOf" })
            if (schema.TryGetProperty(alternative, out var options))
            {
                var choices = options.EnumerateArray().ToList();
                if (choices.Count > 0) return Value(choices[random.Next(choices.Count)], schemas, random, depth);
            }
        var roll = random.Next(20);
        if (roll == 0) return null;
        if (roll == 1) return JsonValue.Create(Pick(random, Strings));
        if (roll == 2) return JsonNode.Parse(Pick(random, Numbers));
        var type = TypeOf(schema);
        switch (type)
        {
            case "object":
                if (depth > 4) return new JsonObject();
                var obj = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                    foreach (var property in properties.EnumerateObject())
                        if (random.Next(5) > 0) obj[property.Name] = Value(property.Value, schemas, random, depth + 1);
                return obj;
            case "array":
                var array = new JsonArray();
                // Long arrays only at the top levels: nested ones multiply (a polygon is an array of arrays of arrays).
                var count = random.Next(10) switch { 0 => 0, 1 when depth < 2 => 60, 2 when depth < 1 => 10_001, _ => random.Next(1, 5) };
                var items = schema.TryGetProperty("items", out var i) ? i : default;
                for (var n = 0; n < count; n++)
                    array.Add(items.ValueKind == JsonValueKind.Undefined || random.Next(10) == 0 ? null : Value(items, schemas, random, depth + 1));
                return array;
            case "integer":
            case "number":
                return JsonNode.Parse(Pick(random, Numbers));
            case "boolean":
                return JsonValue.Create(random.Next(2) == 0);
            default:
                var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
                return JsonValue.Create(format == "uuid" && random.Next(2) == 0 ? Guid.NewGuid().ToString() : Pick(random, Strings));
        }
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return schema.TryGetProperty("properties", out _) ? "object" : null;
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
            : type.GetString();
    }

    /// <summary>The event count and a digest of every document table, inline snapshots and async read models alike.</summary>
    private async Task<string> FingerprintAsync()
    {
        var schema = Store.Options.DatabaseSchemaName;
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
                         "select table_name from information_schema.tables where table_schema = @s and table_name like 'mt_doc_%' order by 1", connection))
        {
            list.Parameters.AddWithValue("s", schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var parts = new List<string>();
        await using (var events = new NpgsqlCommand($"select count(*) from {schema}.mt_events", connection))
            parts.Add("events=" + Convert.ToString(await events.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
        foreach (var table in tables)
        {
            await using var digest = new NpgsqlCommand($"select count(*)::text || ':' || coalesce(md5(string_agg(data::text, ',' order by id::text)), '') from {schema}.{table}", connection);
            parts.Add($"{table}={await digest.ExecuteScalarAsync()}");
        }
        return string.Join(' ', parts);
    }
}
