using Marten;
using Npgsql;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Freshness;

/// <summary>How far one asynchronous read model has read the event store: its last event and how many it is behind.</summary>
public sealed record ProjectionLag(string Name, long Sequence, long Behind);

/// <summary>Whether the figures read models give are up to date with the events recorded.</summary>
public sealed record Freshness(long LatestEvent, IReadOnlyList<ProjectionLag> Projections, bool Stale);

public static class GetFreshnessEndpoint
{
    /// <summary>
    /// The newest event in the store against how far each asynchronous projection (totals, trends, map) has applied
    /// events. Stale when any is behind: figures then leave out the newest records until the projection catches up.
    /// </summary>
    [WolverineGet("/api/projections/freshness", OperationId = "getFreshness")]
    public static async Task<Freshness> Get(IDocumentStore store, NpgsqlDataSource db, CancellationToken token)
    {
        await using var command = db.CreateCommand($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events");
        var latest = Convert.ToInt64(await command.ExecuteScalarAsync(token));
        var shards = await store.Advanced.AllProjectionProgress(token: token);
        var lags = shards.Where(s => s.ShardName != "HighWaterMark")
            .Select(s => new ProjectionLag(s.ShardName, s.Sequence, Math.Max(0, latest - s.Sequence)))
            .OrderBy(l => l.Name)
            .ToList();
        // No shard yet but events exist: the daemon has not applied anything.
        var stale = lags.Count == 0 ? latest > 0 : lags.Any(l => l.Behind > 0);
        return new Freshness(latest, lags, stale);
    }
}
