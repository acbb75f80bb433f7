using Npgsql;

namespace SeizureIntel.Node;

/// <summary>
/// "A node's async daemon runs on this store", as PostgreSQL sees it: a node that runs its daemon holds a session-level
/// advisory lock named after its store's schema on a connection of its own for as long as it runs (a killed process's
/// connection dies with it, and the lock with the connection). <c>projections rebuild</c> takes the same lock before it
/// starts and refuses when it cannot: a rebuild and a daemon never write the same read models at once. (A node that
/// cannot take the lock — another node of the same store holds it, or a rebuild runs — retries every few seconds.)
/// </summary>
public sealed class DaemonLock(NpgsqlDataSource dataSource, NodeOptions node, ILogger<DaemonLock> logger) : BackgroundService
{
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(3);

    public static string KeyOf(string schema) => $"seizureintel:daemon:{schema}";

    /// <summary>Tries to take the lock on <paramref name="connection"/> (open); true when this session now holds it.</summary>
    public static async Task<bool> TryTakeAsync(NpgsqlConnection connection, string schema, CancellationToken token = default)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended(@key, 0))", connection);
        command.Parameters.AddWithValue("key", KeyOf(schema));
        return (bool)(await command.ExecuteScalarAsync(token))!;
    }

    /// <summary>Whether this node's process holds the lock now (it runs the daemon of its store).</summary>
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
                    Held = await TryTakeAsync(connection, node.Schema, stoppingToken);
                    if (Held) logger.LogInformation("Holding the daemon lock of store {Schema}", node.Schema);
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
