using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Sharing.Publishing;
using Wolverine.Http;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace SeizureIntel.Sharing.Status;

public sealed record PartnerStatus(
    string Partner, string PolicyId, string Records, bool AllowNotes, int Delivered, int Pending, int Withdrawn, int Failed,
    DateTimeOffset? OldestPendingSince, DateTimeOffset? LastReceiptAt);

public sealed record SharingStatus(string Agency, string Transport, IReadOnlyList<PartnerStatus> Partners);

public static class GetSharingStatusEndpoint
{
    /// <summary>
    /// Per partner: records delivered (the partner's receipt names the version sent), pending (sent, not yet
    /// acknowledged), withdrawn, and failed (this node's outgoing messages that ended in its dead letters).
    /// </summary>
    [WolverineGet("/api/sharing/status", OperationId = "getSharingStatus")]
    public static async Task<SharingStatus> Get(SharingOptions sharing, NodeIdentity node, IQuerySession session, IWolverineRuntime runtime,
        CancellationToken token)
    {
        var entries = await session.Query<ShareLedgerEntry>().ToListAsync(token);
        var deadLetters = await DeadLettersByPartnerAsync(runtime, token);
        var partners = sharing.Partners.Select(p =>
        {
            var partner = p.Agency.ToUpperInvariant();
            var mine = entries.Where(e => e.Partner == partner).ToList();
            var pending = mine.Where(e => e.AckedVersion < e.SentVersion).ToList();
            return new PartnerStatus(partner, p.PolicyId, p.Records, p.AllowNotes,
                mine.Count(e => e.AckedVersion >= e.SentVersion && !e.Withdrawn), pending.Count,
                mine.Count(e => e.Withdrawn && e.AckedVersion >= e.SentVersion), deadLetters.GetValueOrDefault(SharingOptions.EndpointOf(partner)),
                pending.Count == 0 ? null : pending.Min(e => e.SentAt), mine.Max(e => e.AckedAt));
        }).ToList();
        return new SharingStatus(node.Agency, sharing.Transport, partners);
    }

    private static async Task<Dictionary<string, int>> DeadLettersByPartnerAsync(IWolverineRuntime runtime, CancellationToken token)
    {
        var results = await runtime.Storage.DeadLetters.QueryAsync(new DeadLetterEnvelopeQuery(), token);
        return results.Envelopes
            .Where(e => e.Envelope.Destination is not null)
            .GroupBy(e => runtime.Endpoints.EndpointFor(e.Envelope.Destination!)?.EndpointName ?? "")
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
