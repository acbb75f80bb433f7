using Npgsql;

namespace SeizureIntel.Node;

/// <summary>
/// "A node's async daemon runs on this store", as PostgreSQL sees it: every process of a node that runs its daemon holds a
/// session-level advisory lock named after its store's schema, in SHARED mode, on a connection of its own for as long as
/// it runs (a killed process's connection dies with it, and the lock with the connection). Replicas of one node all hold
/// it at once: under Marten's HotCold mode only one of them runs each projection at a time, but any of them may take one
/// over at any moment, so each counts as "a daemon runs here". <c>projections rebuild</c> takes the same lock EXCLUSIVELY
/// before it starts and refuses when it cannot: a rebuild and a daemon never write the same read models at once. (A
/// process that cannot take its shared lock — a rebuild holds it exclusively — retries every few seconds.)
/// </summary>
public sealed class DaemonLock(NpgsqlDataSource dataSource, NodeOptions node, ILogger<DaemonLock> logger) : BackgroundService
{
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(3);

    public static string KeyOf(string schema) => $"seizureintel:daemon:{schema}";

    /// <summary>
    /// Tries to take the lock exclusively on <paramref name="connection"/> (open), as a rebuild does; true when this session
    /// now holds it (no node process of the store holds it, shared or not).
    /// </summary>
    public static Task<bool> TryTakeAsync(NpgsqlConnection connection, string schema, CancellationToken token = default) =>
        TryAsync(connection, schema, "pg_try_advisory_lock", token);

    /// <summary>Tries to take the lock in shared mode, as every daemon-running process of a node does (replicas together).</summary>
    public static Task<bool> TryTakeSharedAsync(NpgsqlConnection connection, string schema, CancellationToken token = default) =>
        TryAsync(connection, schema, "pg_try_advisory_lock_shared", token);

    private static async Task<bool> TryAsync(NpgsqlConnection connection, string schema, string function, CancellationToken token)
    {
        await using var command = new NpgsqlCommand($"select {function}(hashtextextended(@key, 0))", connection);
        command.Parameters.AddWithValue("key", KeyOf(schema));
        return (bool)(await command.ExecuteScalarAsync(token))!;
    }

    /// <summary>Whether this process holds its share of the lock now (its daemon runs, or stands by, on its store).</summary>
    public bool Held { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!node.RunDaemon) return;
        NpgsqlConnection? connection = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (connection is not { State: System.Data.ConnectionState.Open })
                {
                    if (connection is not null) await connection.DisposeAsync();
                    Held = false;
                    connection = await dataSource.OpenConnectionAsync(stoppingToken);
                }
                if (!Held)
                {
                    Held = await TryTakeSharedAsync(connection, node.Schema, stoppingToken);
                    if (Held) logger.LogInformation("Holding the daemon lock of store {Schema} (shared with any replica)", node.Schema);
                }
                else
                {
                    // Still connected (and so still holding it)?
                    await using var ping = new NpgsqlCommand("select 1", connection);
                    await ping.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception failure) when (failure is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                // The database went away: the lock went with the connection; take it again once it answers.
                Held = false;
                logger.LogWarning("Daemon lock of store {Schema}: {Reason}; retrying", node.Schema, failure.Message);
                if (connection is not null) { try { await connection.DisposeAsync(); } catch (NpgsqlException) { } }
                connection = null;
            }
            try { await Task.Delay(Retry, stoppingToken); } catch (OperationCanceledException) { break; }
        }
        if (connection is not null) await connection.DisposeAsync();
    }
}

public static class DaemonLockSetup
{
    public static void AddDaemonLock(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DaemonLock>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DaemonLock>());
    }
}
