using SeizureIntel.Operations;
using SeizureIntel.Contracts;

namespace SeizureIntel.Sharing.Publishing;

/// <summary>
/// A joint operation's records go to its participants only: to each partner that takes part and has a policy here,
/// the operation's shareable state after every change. A partner that leaves gets one last state, the one of the
/// change that removed it (its agency no longer among the agencies), so its copy shows it left and stops counting;
/// after that it gets nothing until it is added again. A partner's operation is never passed on from where it is
/// received. Persons (planners, officers) and free-text notes never go.
/// </summary>
public static class OperationSharing
{
    /// <summary>A new operation (no state before): its participants get it.</summary>
    public static List<SeizureSharing.Outgoing> Decide(JointOperation operation, string nodeAgency, SharingOptions options, DateTimeOffset now) =>
        Decide(null, operation, nodeAgency, options, now);

    /// <summary>
    /// After a change from <paramref name="before"/> to <paramref name="after"/>: every partner that took part before
    /// the change or takes part after it gets <paramref name="after"/>. So those who stay get the new state, one who
    /// joins gets its first, and one who leaves gets its last (its copy then shows it no longer takes part).
    /// </summary>
    public static List<SeizureSharing.Outgoing> Decide(JointOperation? before, JointOperation after, string nodeAgency, SharingOptions options,
        DateTimeOffset now)
    {
        if (after.Received) return [];
        return options.Partners
            .Where(p => TookPart(after, p) || (before is not null && TookPart(before, p)))
            .Select(p => new SeizureSharing.Outgoing(p.Agency.ToUpperInvariant(), Snapshot(after, nodeAgency, p, now)))
            .ToList();
    }

    private static bool TookPart(JointOperation operation, PartnerPolicy policy) => operation.Agencies.Contains(policy.Agency.ToUpperInvariant());

    public static JointOperationShared Snapshot(JointOperation o, string nodeAgency, PartnerPolicy policy, DateTimeOffset now) =>
        new(SeizureShared.CurrentSchemaVersion, nodeAgency, o.Id, o.Version, policy.PolicyId, now,
            new SharedOperation(o.CodeName, o.LeadAgency, o.Agencies, o.TargetFacilities, o.Status.ToString().ToLowerInvariant(),
                o.PlannedStart, o.PlannedEnd, o.LegalBasis, o.LaunchedAt, o.LaunchDate, o.ConcludedAt, o.CancelledAt,
                o.Seizures.Select(s => new SharedOperationSeizure(s.Agency, s.SeizureId, s.Reference)).ToList(),
                o.Arrests.Select(a => new SharedArrests(a.Count, a.Charges)).ToList(),
                o.Cases.Select(c => new SharedCase(c.CaseNumber, c.Agency, c.OpenedOn)).ToList()), ContractVersion.Minor);
}
