using System.Diagnostics.Metrics;
using Marten;
using Npgsql;
using SeizureIntel.Node;
using SeizureIntel.Sharing;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing.Receiving;
using Wolverine.Runtime;

namespace SeizureIntel.Node.Telemetry;

/// <summary>
/// The figures an operator watches, read from the node's database every few seconds (so every replica of a node reports
/// the same store, and a scrape never waits on a query) and published as gauges on the meter <c>SeizureIntel</c>, each
/// labelled with <c>store</c> (the node's schema):
/// <list type="bullet">
/// <item><c>seizureintel_projection_lag{projection}</c>: events the async daemon has still to apply per projection shard;</item>
/// <item><c>seizureintel_events_latest</c>: the newest event's sequence number;</item>
/// <item><c>seizureintel_sharing_outbox_depth{partner}</c>: messages for the partner waiting in this node's durable outbox;</item>
/// <item><c>seizureintel_sharing_inbox_depth{partner,stage}</c>: the partner's messages not yet handled, in the transport queue
/// (<c>stage="queue"</c>, PostgreSQL queues only) and in this node's durable inbox (<c>stage="inbox"</c>);</item>
/// <item><c>seizureintel_sharing_unacknowledged{partner}</c>: record versions sent to the partner and not yet acknowledged;</item>
/// <item><c>seizureintel_dead_letters{partner}</c>: messages in the dead letters (partner "" for other endpoints);</item>
/// <item><c>seizureintel_sharing_refused_messages{partner}</c>: the partner's messages this node refused (dead-lettered as
/// breaking the contract);</item>
/// <item><c>seizureintel_figures_age_seconds</c>: how old these readings are (a failed reading keeps the last ones).</item>
/// <item><c>seizureintel_daemon_running{projection}</c>: 1 for each projection shard this process's async daemon runs now,
/// 0 for the others; unlike the figures above it is this process's own (read when scraped): under HotCold one replica
/// of a node runs each shard, so summed over the replicas it is 1 per shard.</item>
/// </list>
/// Request rate and latency come from ASP.NET Core's own <c>http_server_request_duration_seconds</c> histogram.
/// </summary>
public sealed class OperatorFigures : BackgroundService
{
    public const string MeterName = "SeizureIntel";

    private readonly IDocumentStore _store;
    private readonly NpgsqlDataSource _db;
    private readonly IWolverineRuntime _runtime;
    private readonly SharingOptions _sharing;
    private readonly NodeOptions _node;
    private readonly IServiceProvider _services;
    private readonly ILogger<OperatorFigures> _logger;
    private readonly TimeSpan _interval;
    private readonly KeyValuePair<string, object?> _storeTag;
    private volatile Snapshot _last = Snapshot.Empty;
    private string? _lastError;

    /// <summary>One reading of every figure; gauges report the latest.</summary>
    public sealed record Snapshot(
        DateTimeOffset At, long LatestEvent, IReadOnlyDictionary<string, long> ProjectionLag, IReadOnlyDictionary<string, long> Outbox,
        IReadOnlyDictionary<(string Partner, string Stage), long> Inbox, IReadOnlyDictionary<string, long> Unacknowledged,
        IReadOnlyDictionary<string, long> DeadLetters, IReadOnlyDictionary<string, long> Refused)
    {
        public static readonly Snapshot Empty = new(DateTimeOffset.MinValue, 0, new Dictionary<string, long>(), new Dictionary<string, long>(),
            new Dictionary<(string, string), long>(), new Dictionary<string, long>(), new Dictionary<string, long>(), new Dictionary<string, long>());
    }

    public OperatorFigures(IDocumentStore store, NpgsqlDataSource db, IWolverineRuntime runtime, SharingOptions sharing, NodeOptions node,
        IMeterFactory meters, IConfiguration configuration, IServiceProvider services, ILogger<OperatorFigures> logger)
    {
        _services = services;
        _store = store;
        _db = db;
        _runtime = runtime;
        _sharing = sharing;
        _node = node;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(Math.Max(0.2, configuration.GetValue("SeizureIntel:Telemetry:RefreshSeconds", 2.0)));
        var meter = meters.Create(MeterName);
        // Every figure names the store (the node's schema) it was read from: several nodes may share one database.
        var storeTag = new KeyValuePair<string, object?>("store", store.Options.Events.DatabaseSchemaName);
        _storeTag = storeTag;
        meter.CreateObservableGauge("seizureintel.events.latest", () => new Measurement<long>(_last.LatestEvent, storeTag), "{event}",
            "The newest event's sequence number");
        meter.CreateObservableGauge("seizureintel.projection.lag", () => Tagged(_last.ProjectionLag, "projection"), "{event}",
            "Events the async daemon has still to apply, per projection shard");
        meter.CreateObservableGauge("seizureintel.sharing.outbox.depth", () => Tagged(_last.Outbox, "partner"), "{message}",
            "Messages for the partner waiting in the durable outbox");
        meter.CreateObservableGauge("seizureintel.sharing.inbox.depth",
            () => _last.Inbox.Select(e => new Measurement<long>(e.Value, storeTag, new("partner", e.Key.Partner), new("stage", e.Key.Stage))), "{message}",
            "The partner's messages not yet handled: in the transport queue, in the durable inbox");
        meter.CreateObservableGauge("seizureintel.sharing.unacknowledged", () => Tagged(_last.Unacknowledged, "partner"), "{record}",
            "Record versions sent to the partner and not yet acknowledged by it");
        meter.CreateObservableGauge("seizureintel.dead_letters", () => Tagged(_last.DeadLetters, "partner"), "{message}",
            "Messages in the dead letters, by partner (empty: not a partner's endpoint)");
        meter.CreateObservableGauge("seizureintel.sharing.refused_messages", () => Tagged(_last.Refused, "partner"), "{message}",
            "The partner's messages this node refused as breaking the contract");
        meter.CreateObservableGauge("seizureintel.daemon.running", DaemonRunning, "{shard}",
            "1 for each projection shard this process's async daemon runs now (HotCold: one replica per shard), 0 for the others");
        meter.CreateObservableGauge("seizureintel.figures.age",
            () => new Measurement<double>(_last.At == DateTimeOffset.MinValue ? -1 : (DateTimeOffset.UtcNow - _last.At).TotalSeconds, storeTag),
            "s", "Age of the figures above (-1: not read yet)");
    }

    public Snapshot Last => _last;

    /// <summary>The shards this process's daemon runs now (none when it runs no daemon, or another replica runs them).</summary>
    public IReadOnlySet<string> RunningShards()
    {
        if (!_node.RunDaemon || _services.GetService<JasperFx.Events.Daemon.IProjectionCoordinator>() is not { } coordinator) return new HashSet<string>();
        return coordinator.DaemonForMainDatabase().CurrentAgents()
            .Where(a => a.Status == JasperFx.AgentStatus.Running).Select(a => a.Name.Identity).ToHashSet();
    }

    private IEnumerable<Measurement<long>> DaemonRunning()
    {
        var running = RunningShards();
        // Every shard the store knows (from its progress rows), so a standing-by replica reports 0 rather than nothing.
        return _last.ProjectionLag.Keys.Union(running).Select(shard =>
            new Measurement<long>(running.Contains(shard) ? 1 : 0, _storeTag, new KeyValuePair<string, object?>("projection", shard)));
    }

    private IEnumerable<Measurement<long>> Tagged(IReadOnlyDictionary<string, long> values, string tag) =>
        values.Select(e => new Measurement<long>(e.Value, _storeTag, new KeyValuePair<string, object?>(tag, e.Key)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval);
        do
        {
            try
            {
                _last = await ReadAsync(stoppingToken);
                _lastError = null;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Tables appear as the node starts; a database outage is /health's to report. Keep the last reading, and say
                // why once per distinct reason (figures_age_seconds grows meanwhile).
                if (e.Message != _lastError) _logger.LogWarning(e, "operator figures not read: {Reason}", e.Message);
                _lastError = e.Message;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public async Task<Snapshot> ReadAsync(CancellationToken token)
    {
        var schema = _store.Options.Events.DatabaseSchemaName;
        var partnerOf = PartnerEndpoints();

        await using var connection = await _db.OpenConnectionAsync(token);
        var latest = Convert.ToInt64(await Scalar(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", token));
        var lag = new Dictionary<string, long>();
        foreach (var shard in await _store.Advanced.AllProjectionProgress(token: token))
            if (shard.ShardName != "HighWaterMark") lag[shard.ShardName] = Math.Max(0, latest - shard.Sequence);
        // A shard this daemon runs that has stored no progress yet has applied nothing: its lag is every event, not absent.
        foreach (var shard in RunningShards()) lag.TryAdd(shard, latest);

        var outbox = Partners(0L);
        foreach (var (uri, count) in await Grouped(connection, $"select destination, count(*) from {schema}.wolverine_outgoing_envelopes group by 1", token))
            if (partnerOf.TryGetValue(uri, out var p)) outbox[p] += count;

        var inbox = _sharing.Enabled
            ? _sharing.Partners.SelectMany(p => new[] { (p.Agency.ToUpperInvariant(), "inbox"), (p.Agency.ToUpperInvariant(), "queue") })
                .Where(k => k.Item2 == "inbox" || _sharing.Transport == SharingOptions.Postgresql).ToDictionary(k => k, _ => 0L)
            : [];
        foreach (var (uri, count) in await Grouped(connection,
                     $"select received_at, count(*) from {schema}.wolverine_incoming_envelopes where status in ('Incoming', 'Scheduled') group by 1", token))
            if (partnerOf.TryGetValue(uri, out var p)) inbox[(p, "inbox")] += count;
        if (_sharing.Enabled && _sharing.Transport == SharingOptions.Postgresql)
            foreach (var partner in _sharing.Partners.Select(p => p.Agency.ToUpperInvariant()))
            {
                var table = $"{_sharing.QueueSchema}.wolverine_queue_{_sharing.InboxOf(_node.Agency, partner)}";
                // The queue table appears when the listener starts: until then nothing waits in it.
                if (await Scalar(connection, $"select to_regclass('{table}')::text", token) is string)
                    inbox[(partner, "queue")] = Convert.ToInt64(await Scalar(connection, $"select count(*) from {table}", token));
            }

        var unacknowledged = Partners(0L);
        if (_sharing.Enabled)
        {
            await using var session = _store.QuerySession();
            foreach (var partner in await session.Query<ShareLedgerEntry>().Where(e => e.AckedVersion < e.SentVersion && e.RefusedVersion < e.SentVersion)
                         .Select(e => e.Partner).ToListAsync(token))
                if (unacknowledged.ContainsKey(partner)) unacknowledged[partner]++;
        }

        var deadLetters = Partners(0L);
        deadLetters[""] = 0;
        var refused = Partners(0L);
        var refusal = typeof(InvalidSharedMessage).FullName!;
        await using (var command = new NpgsqlCommand(
                         $"select received_at, exception_type, count(*) from {schema}.wolverine_dead_letters group by 1, 2", connection))
        await using (var reader = await command.ExecuteReaderAsync(token))
            while (await reader.ReadAsync(token))
            {
                var uri = reader.IsDBNull(0) ? "" : reader.GetString(0);
                var count = reader.GetInt64(2);
                var partner = partnerOf.GetValueOrDefault(uri, "");
                deadLetters[partner] = deadLetters.GetValueOrDefault(partner) + count;
                if (partner != "" && !reader.IsDBNull(1) && reader.GetString(1) == refusal) refused[partner] += count;
            }

        return new Snapshot(DateTimeOffset.UtcNow, latest, lag, outbox, inbox, unacknowledged, deadLetters, refused);
    }

    private Dictionary<string, long> Partners(long zero) =>
        _sharing.Enabled ? _sharing.Partners.ToDictionary(p => p.Agency.ToUpperInvariant(), _ => zero) : [];

    /// <summary>Each partner's sending and listening endpoint addresses → the partner.</summary>
    private Dictionary<string, string> PartnerEndpoints()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!_sharing.Enabled) return map;
        var endpoints = _runtime.Options.Transports.AllEndpoints().ToList();
        foreach (var partner in _sharing.Partners.Select(p => p.Agency.ToUpperInvariant()))
            foreach (var endpoint in endpoints.Where(e => e.EndpointName == SharingOptions.EndpointOf(partner) || e.EndpointName == SharingOptions.ListenerOf(partner)))
                map[endpoint.Uri.ToString()] = partner;
        return map;
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(token);
    }

    private static async Task<List<(string Key, long Count)>> Grouped(NpgsqlConnection connection, string sql, CancellationToken token)
    {
        var rows = new List<(string, long)>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) rows.Add((reader.IsDBNull(0) ? "" : reader.GetString(0), reader.GetInt64(1)));
        return rows;
    }
}
