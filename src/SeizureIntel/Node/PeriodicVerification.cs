using Marten;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Node;

/// <summary>
/// The ledger proves itself without being asked: every <see cref="HealthOptions.VerifyEverySeconds"/> the read models
/// are recomputed from the events and compared (<see cref="VerifyLedger"/>). The outcome is what /health reports, so a
/// read model that drifted from its events turns the node degraded, naming it, within that period.
/// </summary>
internal sealed class PeriodicVerification(IDocumentStore store, ReferenceData reference, QuantityConverter converter, NodeOptions node,
    ILogger<PeriodicVerification> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (node.Health.VerifyEverySeconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(node.Health.VerifyEverySeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var verification = await VerifyLedger.RunAsync(store, reference, converter, stoppingToken);
                if (!verification.Consistent)
                    log.LogWarning("ledger verification: {Count} read model(s) differ from the events, first {ReadModel} {Id} (POST /api/projections/heal)",
                        verification.Differences.Count, verification.Differences[0].ReadModel, verification.Differences[0].Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "ledger verification could not run; next try in {Seconds} s", node.Health.VerifyEverySeconds);
            }
        }
    }
}
