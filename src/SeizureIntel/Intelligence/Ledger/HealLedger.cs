using JasperFx.Events.Daemon;
using Marten;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>What a heal found, what it did, and the verification after it.</summary>
public sealed record LedgerHealing(LedgerVerification Before, IReadOnlyList<string> Actions, LedgerVerification After);

/// <summary>
/// Heals what a verification found: nothing is dropped silently. A difference in the ledger's read models (an event the
/// daemon never applied — e.g. one committed late into a sequence gap the daemon had already skipped — a lost batch, a
/// hand edit) rebuilds the SeizureLedger projection from every event, through this node's own daemon (so it coordinates
/// with it instead of racing it); a drifted inline snapshot (a seizure, an operation, an effort record, an intervention)
/// or link is written again as its events give it. Events are never touched.
/// </summary>
public static class HealLedger
{
    private static readonly HashSet<string> LedgerModels =
    [
        nameof(SeizureFact), nameof(Years.YearSummary), nameof(FacilitySummaries.FacilitySummary), nameof(FacilitySummaries.FacilityYearSummary),
        nameof(Trends.MonthlyBucket),
    ];

    public static async Task<LedgerHealing> RunAsync(IDocumentStore store, IProjectionCoordinator coordinator, ReferenceData reference,
        QuantityConverter converter, CancellationToken token)
    {
        var before = await VerifyLedger.RunAsync(store, reference, converter, token);
        var actions = new List<string>();
        if (before.Differences.Any(d => LedgerModels.Contains(d.ReadModel)))
        {
            var daemon = coordinator.DaemonForMainDatabase();
            await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(10), token);
            actions.Add($"rebuilt {SeizureLedgerProjection.Name} from every event");
        }
        var snapshots = before.Differences.Where(d => !LedgerModels.Contains(d.ReadModel)).ToList();
        if (snapshots.Count > 0)
        {
            await using var session = store.LightweightSession();
            foreach (var d in snapshots)
            {
                var id = Guid.Parse(d.Id);
                switch (d.ReadModel)
                {
                    case nameof(Seizures.Seizure): await RewriteAsync<Seizures.Seizure>(session, id, token); break;
                    case nameof(Operations.JointOperation): await RewriteAsync<Operations.JointOperation>(session, id, token); break;
                    case nameof(Effort.EffortRecord): await RewriteAsync<Effort.EffortRecord>(session, id, token); break;
                    case nameof(Interventions.Intervention): await RewriteAsync<Interventions.Intervention>(session, id, token); break;
                    case nameof(Linking.SeizureOperationLink):
                        if (Guid.TryParse(d.Expected, out var operation))
                            session.Store(new Linking.SeizureOperationLink { Id = id, OperationId = operation, LinkedAt = DateTimeOffset.UtcNow });
                        else session.Delete<Linking.SeizureOperationLink>(id);
                        break;
                    default: continue;
                }
                actions.Add($"rewrote {d.ReadModel} {d.Id} from its events");
            }
            await session.SaveChangesAsync(token);
        }
        if (before.Differences.Count == VerifyLedger.MaxDifferences) actions.Add("more differences than listed may remain: heal again");
        var after = await VerifyLedger.RunAsync(store, reference, converter, token);
        return new LedgerHealing(before, actions, after);
    }

    private static async Task RewriteAsync<T>(IDocumentSession session, Guid id, CancellationToken token) where T : class
    {
        var folded = await session.Events.AggregateStreamAsync<T>(id, token: token);
        if (folded is null) session.Delete<T>(id);
        else session.Store(folded);
    }

    /// <summary>
    /// Verify every read model and heal what differs (the ledger rebuilt by this node's daemon, drifted snapshots written
    /// again from their events); answers the verification before, what was done, and the verification after.
    /// </summary>
    [WolverinePost("/api/projections/heal", OperationId = "healProjections")]
    public static Task<LedgerHealing> Post(IDocumentStore store, IProjectionCoordinator coordinator, ReferenceData reference, QuantityConverter converter,
        CancellationToken token) => RunAsync(store, coordinator, reference, converter, token);
}
