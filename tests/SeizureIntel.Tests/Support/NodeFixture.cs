using Alba;
using JasperFx.CommandLine;
using Marten.Events;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Seizures.References;
using Wolverine;

namespace SeizureIntel.Tests.Support;

/// <summary>The test database that ops/test starts (override with SEIZUREINTEL_TEST_CONNECTION).</summary>
public static class TestDatabase
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_CONNECTION")
        ?? "Host=127.0.0.1;Port=55432;Database=seizureintel_test;Username=seizureintel_test;Password=test-dev-password";
}

/// <summary>
/// One real SeizureIntel node (SSEP) per test collection, on the real PostgreSQL test database, in a schema of its own.
/// </summary>
public class NodeFixture : IAsyncLifetime
{
    /// <summary>Schema of this fixture; SEIZUREINTEL_TEST_SCHEMA lets two test runs share one database.</summary>
    public virtual string Schema => Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests";
    public IAlbaHost Host { get; private set; } = null!;
    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync() => Host = await StartHostAsync(ConfigureHost);

    /// <summary>Settings a derived fixture gives its collection's host, on top of the common ones.</summary>
    protected virtual void ConfigureHost(IWebHostBuilder builder) { }

    /// <summary>
    /// Boots a node on this fixture's database and schema. The collection's host is one; a test that needs another
    /// (e.g. the same store under other settings) starts it here and disposes of it itself.
    /// </summary>
    public Task<IAlbaHost> StartHostAsync(Action<IWebHostBuilder>? configure = null) => TestNodes.BootAsync("SSEP", Schema, configure);

    /// <summary>Every test starts from clean data (see <see cref="TestNodes.ResetAsync"/>).</summary>
    public Task ResetAsync() => TestNodes.ResetAsync(Host, Schema);

    public async Task DisposeAsync()
    {
        await Host.StopAsync();
        await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "node";
}
