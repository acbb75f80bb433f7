using Alba;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Seizures.References;
using Wolverine;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// The one way the tests boot a real node and reset its data: <see cref="NodeFixture"/> (one node) and
/// <see cref="Sharing.TwoNodes"/> (two agencies sharing) both use it.
/// </summary>
public static class TestNodes
{
    /// <summary>Boots a node of <paramref name="agency"/> on the test database, its store in <paramref name="schema"/>.</summary>
    public static async Task<IAlbaHost> BootAsync(string agency, string schema, Action<IWebHostBuilder>? configure = null)
    {
        JasperFxEnvironment.AutoStartHost = true;
        var tokens = new TestTokens();
        var host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("SeizureIntel:ConnectionString", TestDatabase.ConnectionString);
            builder.UseSetting("SeizureIntel:Agency", agency);
            builder.UseSetting("SeizureIntel:Schema", schema);
            builder.UseSetting("SeizureIntel:LoadDemoData", "false");
            builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.AddSingleton<IStartupFilter>(new TestSignIn(tokens));
            });
            configure?.Invoke(builder);
        });
        // Every scenario signs in with a real token from this node (TestTokens).
        tokens.Host = host;
        return host;
    }

    /// <summary>
    /// Clean data: no events, no documents, no messages in the node's own envelope storage, reference counters back to
    /// zero, an empty seizure-locations table and no imported files or import keys (our own tables beside Marten's, which its reset leaves).
    /// </summary>
    public static async Task ResetAsync(IAlbaHost host, string schema)
    {
        await host.ResetAllMartenDataAsync();
        await host.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Storage.Admin.ClearAllAsync();
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"truncate {schema}.{ReferenceAllocator.TableName}; truncate {schema}.{SeizureLocations.TableName}; " +
            $"truncate {schema}.{SeizureIntel.Imports.ImportStorage.FilesTable}; truncate {schema}.{SeizureIntel.Imports.ImportStorage.KeysTable}", connection);
        await command.ExecuteNonQueryAsync();
    }
}
