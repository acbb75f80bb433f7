using SeizureIntel.Operations;
using SeizureIntel.Sharing.Contracts;

namespace SeizureIntel.Sharing.Publishing;

/// <summary>
/// A joint operation's records go to its participants only: to each partner that takes part and has a policy here,
/// the operation's shareable state after every change. A partner's operation is never passed on from where it is
/// received. Persons (planners, officers) and free-text notes never go.
/// </summary>
public static class OperationSharing
{
    public static List<SeizureSharing.Outgoing> Decide(JointOperation operation, string nodeAgency, SharingOptions options, DateTimeOffset now)
    {
        if (operation.Received) return [];
        return options.Partners
            .Where(p => operation.Agencies.Contains(p.Agency.ToUpperInvariant()))
            .Select(p => new SeizureSharing.Outgoing(p.Agency.ToUpperInvariant(), Snapshot(operation, nodeAgency, p, now)))
            .ToList();
    }

    public static JointOperationShared Snapshot(JointOperation o, string nodeAgency, PartnerPolicy policy, DateTimeOffset now) =>
        new(SeizureShared.CurrentSchemaVersion, nodeAgency, o.Id, o.Version, policy.PolicyId, now,
            new SharedOperation(o.CodeName, o.LeadAgency, o.Agencies, o.TargetFacilities, o.Status.ToString().ToLowerInvariant(),
                o.PlannedStart, o.PlannedEnd, o.LegalBasis, o.LaunchedAt, o.LaunchDate, o.ConcludedAt, o.CancelledAt,
                o.Seizures.Select(s => new SharedOperationSeizure(s.Agency, s.SeizureId, s.Reference)).ToList(),
                o.Arrests.Select(a => new SharedArrests(a.Count, a.Charges)).ToList(),
                o.Cases.Select(c => new SharedCase(c.CaseNumber, c.Agency, c.OpenedOn)).ToList()));
}
