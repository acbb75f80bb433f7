using Marten;
using Wolverine;

namespace SeizureIntel.Node;

/// <summary>
/// Several processes of one agency node on one database (replicas behind a round robin), see README "Replicas". Every
/// request, recording and change may go to any replica: their writes meet in PostgreSQL (optimistic versions, the
/// reference counter's row lock, the durable inbox's message ids). What must run once per store runs on one replica at a
/// time, each through a PostgreSQL advisory lock held on a connection of its own (a killed process's connection, and so
/// its lock, dies with it):
/// <list type="bullet">
/// <item>Marten's async daemon in <c>DaemonMode.HotCold</c> (NodeSetup): one lock per projection shard (the ledger, the
/// sharing subscription); a standing-by replica tries the free ones every <see cref="DaemonLeadershipPolling"/>;</item>
/// <item>Wolverine's durable agents in <c>DurabilityMode.Balanced</c>: one leader (advisory lock) assigns the agents —
/// among them the recovery of a dead node's inbox and outbox — and ejects a node whose heartbeat
/// (every <see cref="HeartbeatEvery"/>) is older than <see cref="StaleAfter"/>, handing its messages to the living.</item>
/// </list>
/// </summary>
public static class ReplicaSetup
{
    /// <summary>How often a standing-by replica tries to take over a projection shard no replica runs (Marten: 5 s).</summary>
    public static readonly TimeSpan DaemonLeadershipPolling = TimeSpan.FromSeconds(2);

    /// <summary>Each process's heartbeat in wolverine_nodes, and its leader check (Wolverine: 10 s).</summary>
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A process silent this long is taken for dead: its agents move and its persisted messages go to the living (Wolverine:
    /// 1 min). Long enough that a live replica on a loaded machine is not ejected by a late heartbeat.
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    public static void ConfigureDaemonTakeover(StoreOptions opts) =>
        opts.Projections.LeadershipPollingTime = (int)DaemonLeadershipPolling.TotalMilliseconds;

    public static void ConfigureDurableAgents(WolverineOptions opts)
    {
        // Balanced is Wolverine's default; named here because replicas depend on it (tests run in Solo, one process each).
        opts.Durability.Mode = DurabilityMode.Balanced;
        opts.Durability.HealthCheckPollingTime = HeartbeatEvery;
        opts.Durability.StaleNodeTimeout = StaleAfter;
    }
}
