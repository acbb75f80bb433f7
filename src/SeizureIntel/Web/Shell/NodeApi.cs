using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using SeizureIntel.Identity;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Components.Authorization;

namespace SeizureIntel.Web.Shell;

/// <summary>An API answer: the value, or the problem details (status, title, detail and the errors by field).</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem, long? Version)
{
    public bool Ok => Problem is null;
}

public sealed record ApiProblem(int Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public string? For(string field) => Errors.TryGetValue(field, out var reasons) ? string.Join("; ", reasons) : null;
}

/// <summary>
/// The pages' way to the node: its own HTTP API, over loopback. Validation, If-Match, idempotency, sharing and (with
/// sign-in) authorization and audit are the API's, so a page can neither skip a rule nor keep a second copy of one.
/// </summary>
public sealed class NodeApi(HttpClient http, IServer server, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    AuthenticationStateProvider? signedIn = null)
{
    /// <summary>The API's own JSON settings (names, enums, GeoJSON), so the pages read exactly what it writes.</summary>
    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    /// <summary>This node's own address, as Kestrel bound it (a wildcard host is reached on loopback).</summary>
    public Uri BaseAddress
    {
        get
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                          ?? throw new InvalidOperationException("the node is not listening on any address");
            var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1")
                .Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1"));
            return uri.Uri;
        }
    }

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken token = default) => SendAsync<T>(HttpMethod.Get, path, null, null, token);

    public Task<ApiResult<T>> PostAsync<T>(string path, object body, long? ifMatch = null, CancellationToken token = default) =>
        SendAsync<T>(HttpMethod.Post, path, body, ifMatch, token);

    public async Task<string?> GetTextAsync(string path, CancellationToken token = default)
    {
        using var request = await RequestAsync(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, token);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(token) : null;
    }

    /// <summary>A file the API answers with (a report's XLSX, CSV or HTML), or the problem.</summary>
    public async Task<ApiResult<byte[]>> GetBytesAsync(string path, CancellationToken token = default)
    {
        using var request = await RequestAsync(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, token);
        return response.IsSuccessStatusCode
            ? new ApiResult<byte[]>(await response.Content.ReadAsByteArrayAsync(token), null, null)
            : new ApiResult<byte[]>(null, ReadProblem(response.StatusCode, await response.Content.ReadAsStringAsync(token)), null);
    }

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, long? ifMatch, CancellationToken token)
    {
        using var request = await RequestAsync(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        if (ifMatch is { } v) request.Headers.TryAddWithoutValidation("If-Match", $"\"{v}\"");
        using var response = await http.SendAsync(request, token);
        var version = response.Headers.ETag is { } etag && long.TryParse(etag.Tag.Trim('"'), out var parsed) ? parsed : (long?)null;
        var text = await response.Content.ReadAsStringAsync(token);
        if (response.IsSuccessStatusCode)
            return new ApiResult<T>(text.Length == 0 ? default : JsonSerializer.Deserialize<T>(text, Json), null, version);
        return new ApiResult<T>(default, ReadProblem(response.StatusCode, text), version);
    }

    /// <summary>A request to the API carrying the signed-in user's access token (none: the API answers 401).</summary>
    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(BaseAddress, path));
        if (signedIn is not null && (await signedIn.GetAuthenticationStateAsync()).User.FindFirst(WebSignIn.AccessTokenClaim) is { } token)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Value);
        return request;
    }

    private static ApiProblem ReadProblem(HttpStatusCode status, string text)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        string title = status.ToString(), detail = "";
        try
        {
            var json = JsonSerializer.Deserialize<JsonElement>(text);
            if (json.TryGetProperty("title", out var t)) title = t.GetString() ?? title;
            if (json.TryGetProperty("detail", out var d)) detail = d.GetString() ?? "";
            if (json.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                foreach (var field in e.EnumerateObject())
                    errors[field.Name] = field.Value.EnumerateArray().Select(r => r.GetString() ?? "").ToArray();
        }
        catch (JsonException)
        {
            detail = text;
        }
        return new ApiProblem((int)status, title, detail, errors);
    }
}
