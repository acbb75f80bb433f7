using System.Diagnostics;
using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using SeizureIntel.Imports;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>When the read models are rebuilt at once after an import instead of being left to the async daemon (SeizureIntel:ReadModels).</summary>
public sealed class ReadModelOptions
{
    /// <summary>
    /// Rebuild the read models blue/green (<see cref="LedgerRebuild"/>) after an import that leaves them at least this many
    /// events behind; 0 never does (the async daemon takes every import up, batch by batch).
    /// </summary>
    public long RebuildAfterImportEvents { get; set; } = 10_000;

    /// <summary>
    /// ... and at least this share of all events (percent): a rebuild folds every event, so a small import into a large store
    /// is left to the daemon (25–51 times slower an event than the rebuild in bench-import's runs).
    /// </summary>
    public double RebuildAfterImportPercent { get; set; } = 2;

    /// <summary>How long to wait, at most, for the daemon's high-water mark to pass the import's last event before rebuilding.</summary>
    public int HighWaterWaitSeconds { get; set; } = 60;

    /// <summary>How long to wait, at most, for this process's daemon to start the projection (e.g. just after start-up) before leaving the catch-up to it.</summary>
    public int AgentWaitSeconds { get; set; } = 10;
}

/// <summary>
/// After an import, hands the read models' catch-up to the blue/green rebuild when the daemon would take long: the
/// import's events (and any other backlog) are folded with every earlier event into new tables while the node keeps
/// serving the previous ones, then switched in with the projection's progress set to the last event they hold
/// (<see cref="LedgerRebuild"/>); events appended meanwhile are applied before the switch or after it by the daemon, once.
/// Only where this process's daemon runs the SeizureLedger projection (a rebuild pauses the daemon it runs beside).
/// </summary>
public sealed class ImportCatchUp(
    IDocumentStore store, NpgsqlDataSource db, ReadModelOptions options, IServiceProvider services, TimeProvider time, ILogger<ImportCatchUp> logger)
    : IAfterImport
{
    public async Task AfterAsync(SeizureImport import, CancellationToken token)
    {
        var readModels = await CatchUpAsync(token);
        logger.LogInformation("Import {Id}: read models caught up by {By} ({Behind} events behind: {Why})", import.Id, readModels.By,
            readModels.EventsBehind, readModels.Why);
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<SeizureImport>(import.Id, token) is not { } stored) return;
        stored.ReadModels = import.ReadModels = readModels;
        session.Store(stored);
        await session.SaveChangesAsync(token);
    }

    /// <summary>Rebuilds the read models now when they are far enough behind and this process runs their projection; says how and why.</summary>
    public async Task<ImportReadModels> CatchUpAsync(CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        var schema = store.Options.DatabaseSchemaName;
        long last, applied;
        await using (var connection = await db.OpenConnectionAsync(token))
        {
            last = await LedgerRebuild.ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", token);
            applied = await LedgerRebuild.ScalarAsync(connection, LedgerRebuild.ProgressSql(schema, LedgerRebuild.ShardName), token);
        }
        var behind = Math.Max(0, last - applied);
        if (options.RebuildAfterImportEvents <= 0) return new("daemon", behind, "rebuilding after imports is off (SeizureIntel:ReadModels:RebuildAfterImportEvents = 0)");
        if (behind < options.RebuildAfterImportEvents)
            return new("daemon", behind, $"fewer events behind than SeizureIntel:ReadModels:RebuildAfterImportEvents ({options.RebuildAfterImportEvents:D})");
        if (behind * 100.0 < options.RebuildAfterImportPercent * last)
            return new("daemon", behind, $"under {options.RebuildAfterImportPercent:G} % of the {last:D} events (SeizureIntel:ReadModels:RebuildAfterImportPercent): a rebuild would fold them all");
        if (services.GetService<IProjectionCoordinator>() is not { } coordinator || !await RunsHereAsync(coordinator.DaemonForMainDatabase()))
            return new("daemon", behind, "this process does not run the SeizureLedger projection (no daemon here, or another replica runs it)");

        // The rebuild folds up to the high-water mark (below it every transaction has committed): wait until it covers the import.
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(options.HighWaterWaitSeconds))
        {
            await using var connection = await db.OpenConnectionAsync(token);
            if (await LedgerRebuild.ScalarAsync(connection, LedgerRebuild.ProgressSql(schema, "HighWaterMark"), token) >= last) break;
            await Task.Delay(200, token);
        }
        var waited = wait.Elapsed;
        LedgerRebuild.Outcome outcome;
        try
        {
            outcome = await ActivatorUtilities.CreateInstance<LedgerRebuild>(services).RunAsync(null, whileServing: true, token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Before its switch a failed rebuild leaves the served tables as they were, and the daemon goes on with them. A node
            // on the runtime login may not create the new tables (42501): the owner login runs rebuilds (see "Secrets and least privilege").
            logger.LogError(e, "The rebuild after an import failed; the async daemon catches the read models up");
            return new("daemon", behind, e is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege }
                ? "this node's login may not create the rebuild's tables (a runtime login): the daemon catches up"
                : $"the rebuild failed ({e.GetType().Name}: {e.Message}); the daemon catches up");
        }
        return new("rebuild", behind, $"at least {options.RebuildAfterImportEvents:D} events and {options.RebuildAfterImportPercent:G} % of all behind",
            outcome.UpTo, SeizureIntel.Calendar.LocalCalendar.ToLocal(time.GetUtcNow()), Math.Round(clock.Elapsed.TotalSeconds, 2), Math.Round(outcome.EventsPerSecond),
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"high-water wait {waited.TotalSeconds:F1} s, fold {outcome.Fold.TotalSeconds:F1} s, write {outcome.Write.TotalSeconds:F1} s, " +
                $"catch-up {outcome.CatchUp.TotalSeconds:F1} s ({outcome.CaughtUp:D} events appended meanwhile), switch {outcome.Switch.TotalSeconds:F2} s"));
    }

    /// <summary>Whether this process's daemon runs the projection; right after start-up (an import resumed) its agent may take a few seconds to start.</summary>
    private async Task<bool> RunsHereAsync(IProjectionDaemon daemon)
    {
        bool Running() => daemon.CurrentAgents().Any(a => a.Name.Identity == LedgerRebuild.ShardName && a.Status == AgentStatus.Running);
        if (Running()) return true;
        try { await daemon.WaitForShardToBeRunning(LedgerRebuild.ShardName, TimeSpan.FromSeconds(options.AgentWaitSeconds)); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { }
        return Running();
    }
}
