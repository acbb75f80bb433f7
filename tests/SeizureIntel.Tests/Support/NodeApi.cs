using System.Text.Json;
using Alba;
using Marten.Events;
using Npgsql;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// Helpers over a node's HTTP API, the one way the tests record and change seizures and read answers (NodeTest's helpers
/// call these on the collection's node).
/// </summary>
public static class NodeApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<SeizureCreatedBody> RecordAsync(this IAlbaHost host, object body, string user = "officer-1")
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl("/api/seizures");
            s.WithRequestHeader("X-User", user);
            s.StatusCodeShouldBe(201);
        });
        return result.ReadAsJson<SeizureCreatedBody>()!;
    }

    public static async Task<JsonElement> GetJsonAsync(this IAlbaHost host, string url, int status = 200)
    {
        var result = await host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(status); });
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    /// <summary>POSTs a change to /api/seizures/{id}/{action} with If-Match "version" (none when null); returns the answer as JSON.</summary>
    public static async Task<JsonElement> ChangeAsync(this IAlbaHost host, Guid id, string action, object body, long? version, int status = 200,
        string user = "officer-1")
    {
        var result = await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/seizures/{id}/{action}");
            s.WithRequestHeader("X-User", user);
            if (version is not null) s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.StatusCodeShouldBe(status);
        });
        var text = await result.ReadAsTextAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>Polls until the condition holds (messages cross nodes asynchronously); fails with the last answer.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"within {seconds} s: {what}");
    }

    public static async Task<decimal> YearGramsAsync(this IAlbaHost host, int year, string? agency = null)
    {
        try
        {
            await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            return -1m; // no event at all yet on this node: nothing counted; callers poll again
        }
        return (await host.GetJsonAsync($"/api/years/{year}/summary{(agency is null ? "" : "?agency=" + agency)}")).GetProperty("grams").GetDecimal();
    }

    public static async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
