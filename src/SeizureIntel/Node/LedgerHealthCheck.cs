using System.Collections.Concurrent;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Sharing.Publishing;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace SeizureIntel.Node;

/// <summary>
/// /health tells the truth about the figures: degraded, naming which, when a projection is stuck (behind and not
/// moving), far behind, or has parked poison events; when dead letters pile up; when a partner has acknowledged
/// nothing for longer than the threshold. The database check (unhealthy when it does not answer) is separate.
/// </summary>
public sealed class LedgerHealthCheck(IDocumentStore store, NpgsqlDataSource db, IWolverineRuntime runtime, NodeOptions node, TimeProvider time)
    : IHealthCheck
{
    /// <summary>Last sequence seen per projection shard and since when, to tell a stuck projection from a busy one.</summary>
    private static readonly ConcurrentDictionary<string, (long Sequence, DateTimeOffset Since)> Seen = new();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken token = default)
    {
        var limits = node.Health;
        var problems = new List<string>();
        var data = new Dictionary<string, object>();
        try
        {
            var now = time.GetUtcNow();
            await using var command = db.CreateCommand($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events");
            var latest = Convert.ToInt64(await command.ExecuteScalarAsync(token));
            data["latestEvent"] = latest;
            var shards = (await store.Advanced.AllProjectionProgress(token: token)).Where(s => s.ShardName != "HighWaterMark").ToList();
            if (node.RunDaemon && latest > 0 && shards.Count == 0) problems.Add("projections have applied no event yet");
            foreach (var shard in shards)
            {
                var behind = Math.Max(0, latest - shard.Sequence);
                data[$"{shard.ShardName}.behind"] = behind;
                var key = $"{store.Options.Events.DatabaseSchemaName}/{shard.ShardName}";
                var seen = Seen.AddOrUpdate(key, (shard.Sequence, now), (_, old) => old.Sequence == shard.Sequence ? old : (shard.Sequence, now));
                if (behind > limits.MaxEventsBehind) problems.Add($"projection {shard.ShardName} is {behind} events behind");
                else if (behind > 0 && now - seen.Since > TimeSpan.FromSeconds(limits.StuckAfterSeconds))
                    problems.Add($"projection {shard.ShardName} is stuck at event {shard.Sequence} ({behind} behind) for {(int)(now - seen.Since).TotalSeconds} s");
            }

            await using var session = store.QuerySession();
            var parked = await session.Query<ParkedEvent>().OrderBy(p => p.Sequence).Take(3).ToListAsync(token);
            if (parked.Count > 0)
            {
                var count = await session.Query<ParkedEvent>().CountAsync(token);
                data["parkedEvents"] = count;
                problems.Add($"projection {parked[0].Projection} parked {count} poison event(s), first #{parked[0].Sequence}: {parked[0].Reason} (GET /api/projections/parked)");
            }

            if (VerifyLedger.Last.TryGetValue(store.Options.Events.DatabaseSchemaName, out var verified) && !verified.Consistent)
                problems.Add($"the last ledger verification found {verified.Differences.Count} read model(s) differing from the events " +
                             $"(first: {verified.Differences[0].ReadModel} {verified.Differences[0].Id}; GET /api/projections/verify)");

            var letters = (await runtime.Storage.DeadLetters.QueryAsync(new DeadLetterEnvelopeQuery(), token)).Envelopes;
            data["deadLetters"] = letters.Count;
            if (letters.Count > limits.MaxDeadLetters)
                problems.Add($"{letters.Count} messages in the dead letters (more than {limits.MaxDeadLetters}; GET /api/sharing/status)");

            var cutOff = now.AddMinutes(-limits.PartnerUnreachableMinutes);
            var waiting = await session.Query<ShareLedgerEntry>().Where(e => e.AckedVersion < e.SentVersion && e.SentAt < cutOff).ToListAsync(token);
            foreach (var partner in waiting.GroupBy(e => e.Partner))
                problems.Add($"partner {partner.Key} has acknowledged none of {partner.Count()} records sent more than {limits.PartnerUnreachableMinutes} min ago " +
                             $"(oldest {partner.Min(e => e.SentAt):u})");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("the ledger cannot be checked: the database does not answer", e);
        }
        return problems.Count == 0
            ? HealthCheckResult.Healthy("projections current, nothing parked, dead letters and partners within limits", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: data);
    }
}
