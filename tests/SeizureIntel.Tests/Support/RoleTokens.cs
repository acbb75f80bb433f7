using System.Collections.Concurrent;
using Alba;
using SeizureIntel.Identity;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// Tokens for one role each, from the node's own token endpoint (client credentials): an API client "role-&lt;role&gt;"
/// holding only that role, assigned to every facility. A scenario sends it with <see cref="As"/>.
/// </summary>
public static class RoleTokens
{
    private static readonly ConcurrentDictionary<(IAlbaHost, string), Lazy<Task<string>>> Tokens = new();

    public static string ClientOf(string role) => "role-" + role;

    public static Task<string> ForRoleAsync(this IAlbaHost host, string role) =>
        Tokens.GetOrAdd((host, role), key => new Lazy<Task<string>>(() =>
            TestTokens.ClientTokenAsync(key.Item1, ClientOf(key.Item2), [key.Item2], [NodeClaims.AllFacilities]))).Value;

    /// <summary>Sends the scenario's request with this bearer token.</summary>
    public static void As(this Scenario s, string token) => s.WithRequestHeader("Authorization", "Bearer " + token);

    /// <summary>GETs a URL as a role; returns status and body.</summary>
    public static async Task<(int Status, string Body)> GetAsRoleAsync(this IAlbaHost host, string role, string url, string? accept = null)
    {
        var token = await host.ForRoleAsync(role);
        var result = await host.Scenario(s =>
        {
            s.Get.Url(url);
            if (accept is not null) s.WithRequestHeader("Accept", accept);
            s.As(token);
            s.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, await result.ReadAsTextAsync());
    }
}
