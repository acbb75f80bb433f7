using System.Net;
using System.Text.Json;
using Alba;
using Marten;
using Marten.Events;
using Npgsql;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Tests.Support;

/// <summary>Base of the tests that run against the collection's node; resets the data before each test.</summary>
[Collection(NodeCollection.Name)]
public abstract class NodeTest(NodeFixture fixture) : IAsyncLifetime
{
    protected NodeFixture Fixture { get; } = fixture;
    protected IAlbaHost Host => Fixture.Host;
    protected IDocumentStore Store => Fixture.Store;

    public Task InitializeAsync() => Fixture.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected static object Body(string facilityId = "SIZO-1", string occurredAt = "2015-03-14T10:30:00+06:00",
        string substance = "cannabis-resin", decimal value = 1.25m, string unit = "kg", string detection = "visitor-search",
        string? notes = null) =>
        new { facilityId, occurredAt, substance, quantity = new { value, unit }, detection, notes };

    protected Task<SeizureCreatedBody> RecordAsync(object body, string user = "officer-1") => Host.RecordAsync(body, user);

    /// <summary>POSTs a change to /api/seizures/{id}/{action} with If-Match "version" (none when null); returns the answer as JSON.</summary>
    protected Task<JsonElement> ChangeAsync(Guid id, string action, object body, long? version, int status = 200, string user = "officer-1") =>
        Host.ChangeAsync(id, action, body, version, status, user);

    /// <summary>The names of the fields a problem details answer blames.</summary>
    protected static List<string> ErrorFields(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).Order().ToList() : [];

    protected async Task<T> GetAsync<T>(string url)
    {
        var result = await Host.Scenario(s => s.Get.Url(url));
        return JsonSerializer.Deserialize<T>(await result.ReadAsTextAsync(), Json)!;
    }

    protected async Task<JsonElement> GetJsonAsync(string url) => await GetAsync<JsonElement>(url);

    protected Task WaitForProjectionsAsync() => Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    protected async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {Store.Options.DatabaseSchemaName}.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    protected Task<long> StreamCountAsync() => CountAsync("mt_streams");
    protected Task<long> EventCountAsync() => CountAsync("mt_events");
}

public sealed record SeizureCreatedBody(Guid Id, string Reference, long Version);
