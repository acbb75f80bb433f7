namespace SeizureIntel.Imports;

/// <summary>
/// Work that follows an import the node completed, run by the <see cref="ImportQueue"/> before it takes the next import:
/// e.g. catching the read models up at once after a large import (Intelligence/Ledger/ImportCatchUp.cs). Registered by the
/// feature that needs it, so that this folder depends on none of them. A failure is logged; the import stays completed.
/// </summary>
public interface IAfterImport
{
    Task AfterAsync(SeizureImport import, CancellationToken token);
}

/// <summary>How the read models took up an import's events (shown with the import, GET /api/imports/{id}).</summary>
/// <param name="By">"rebuild": rebuilt blue/green at once (the previous figures served until the switch); "daemon": left to the async daemon, event by event batch.</param>
/// <param name="EventsBehind">Events the read models had not applied when the import ended.</param>
/// <param name="Why">Why this way (the thresholds, or why no rebuild could run here).</param>
/// <param name="UpTo">With "rebuild": the sequence number the rebuild folded up to; events after it (appended meanwhile) were applied before the switch or after it by the daemon.</param>
/// <param name="CaughtUpAt">With "rebuild": when the new read models were switched in (Bishkek time, with its offset).</param>
/// <param name="Seconds">With "rebuild": how long it took, from the end of the import to the switch.</param>
/// <param name="EventsPerSecond">With "rebuild": events folded and applied per second.</param>
/// <param name="Phases">With "rebuild": where the time went (waiting for the high-water mark, fold, write, catch-up, switch).</param>
public sealed record ImportReadModels(
    string By, long EventsBehind, string Why, long? UpTo = null, DateTimeOffset? CaughtUpAt = null, double? Seconds = null, double? EventsPerSecond = null,
    string? Phases = null);
