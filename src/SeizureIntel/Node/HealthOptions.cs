namespace SeizureIntel.Node;

/// <summary>When /health turns degraded (section SeizureIntel:Health).</summary>
public sealed class HealthOptions
{
    /// <summary>A projection more events than this behind the store is "far behind".</summary>
    public long MaxEventsBehind { get; set; } = 10_000;

    /// <summary>A projection behind the store that has not moved for this long is "stuck".</summary>
    public int StuckAfterSeconds { get; set; } = 120;

    /// <summary>More messages than this in the node's dead letters "pile up".</summary>
    public int MaxDeadLetters { get; set; } = 10;

    /// <summary>A partner that has acknowledged nothing sent to it for this long is "unreachable".</summary>
    public int PartnerUnreachableMinutes { get; set; } = 30;

    /// <summary>
    /// Every this many seconds the node recomputes its read models from the events and compares them (as
    /// <c>GET /api/projections/verify</c>); a difference turns /health degraded until a verification finds none. 0: never.
    /// </summary>
    public int VerifyEverySeconds { get; set; } = 3600;
}
