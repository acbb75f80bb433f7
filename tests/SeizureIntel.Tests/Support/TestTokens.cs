using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Identity;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// Every request a test sends to a node's API carries a real access token from that node's own token endpoint (client
/// credentials): <see cref="TestNodes.BootAsync"/> puts <see cref="TestSignIn"/> in front of every host it boots, so
/// tests need not know about sign-in. The acting user a test names (the <c>X-User</c> header the helpers set, e.g.
/// "officer-17") becomes an API client of that id holding every role, so the events record it as the authenticated
/// subject; without one the request acts as <see cref="DefaultClient"/>. A request that carries its own Authorization
/// header keeps it, and one with <c>X-Anonymous</c> goes without a token.
/// </summary>
public sealed class TestTokens
{
    public const string UserHeader = "X-User";
    public const string AnonymousHeader = "X-Anonymous";
    public const string DefaultClient = "test-client";
    public const string Secret = "test-client-secret-not-for-production";

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _tokens = new();
    public IAlbaHost? Host { get; set; }

    public Task<string> ForAsync(string user) =>
        _tokens.GetOrAdd(user, id => new Lazy<Task<string>>(() => ClientTokenAsync(Host!, id, Roles.All, [NodeClaims.AllFacilities]))).Value;

    /// <summary>Registers (or updates) an API client with these roles and facilities and gets a token for it from the node.</summary>
    public static async Task<string> ClientTokenAsync(IAlbaHost host, string clientId, IEnumerable<string> roles, IEnumerable<string>? facilities = null)
    {
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureClientAsync(clientId, Secret, roles, facilities);
        using var http = host.Server.CreateClient();
        return await TokenAsync(http, clientId, Secret);
    }

    /// <summary>The client-credentials grant, as any script does it.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string clientId, string secret)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"token endpoint answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body).GetProperty("access_token").GetString()!;
    }
}

/// <summary>The test-only step in front of the node's pipeline that puts the acting user's token on each API request.</summary>
public sealed class TestSignIn(TestTokens tokens) : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
    {
        app.Use(async (HttpContext context, Func<Task> continuation) =>
        {
            var headers = context.Request.Headers;
            var user = headers[TestTokens.UserHeader].ToString().Trim();
            headers.Remove(TestTokens.UserHeader);
            var anonymous = headers.Remove(TestTokens.AnonymousHeader);
            if (!anonymous && tokens.Host is not null && context.Request.Path.StartsWithSegments("/api") && !headers.ContainsKey("Authorization"))
                headers.Authorization = "Bearer " + await tokens.ForAsync(user.Length > 0 ? user : TestTokens.DefaultClient);
            await continuation();
        });
        next(app);
    };
}
