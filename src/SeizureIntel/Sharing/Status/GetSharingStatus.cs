using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Sharing.Publishing;
using Wolverine.Http;
using Wolverine.Persistence.Durability;
using Wolverine.Persistence.Durability.DeadLetterManagement;
using Wolverine.Runtime;

namespace SeizureIntel.Sharing.Status;

/// <summary>
/// One partner: what we sent it (delivered, pending, withdrawn, failed in our outbox, refused by it with a refusal
/// receipt) and what it sent us that this node refused (dead-lettered: bad contract, bounds, forged origin or receipt).
/// </summary>
public sealed record PartnerStatus(
    string Partner, string PolicyId, string Records, bool AllowNotes, int Delivered, int Pending, int Withdrawn, int Failed,
    DateTimeOffset? OldestPendingSince, DateTimeOffset? LastReceiptAt, int Refused, int RefusedFromPartner);

/// <summary>A record version a partner refused, with the partner's reason.</summary>
public sealed record RefusalRow(string Partner, Guid RecordId, long Version, string? Reason, DateTimeOffset? At);

/// <summary>A message that failed for good and waits in this node's dead letters: what, to or from whom, and why.</summary>
public sealed record DeadLetterRow(Guid Id, string? Endpoint, string? Partner, string MessageType, string ExceptionType, string ExceptionMessage,
    DateTimeOffset SentAt, bool Replayable);

public sealed record SharingStatus(string Agency, string Transport, IReadOnlyList<PartnerStatus> Partners, IReadOnlyList<DeadLetterRow> DeadLetters,
    IReadOnlyList<RefusalRow> Refusals);

public static class GetSharingStatusEndpoint
{
    /// <summary>
    /// Per partner: records delivered (the partner's receipt names the version sent), pending (sent, not yet
    /// acknowledged), withdrawn, failed (this node's outgoing messages that ended in its dead letters), refused (the
    /// partner answered with a refusal receipt) and refusedFromPartner (its messages this node dead-lettered); then the
    /// newest dead letters (at most 50), outgoing and incoming, each with the exception that stopped it, and the newest
    /// refusals (at most 50) with the partner's reason.
    /// </summary>
    [WolverineGet("/api/sharing/status", OperationId = "getSharingStatus")]
    public static async Task<SharingStatus> Get(SharingOptions sharing, NodeIdentity node, IQuerySession session, IWolverineRuntime runtime,
        CancellationToken token)
    {
        var entries = await session.Query<ShareLedgerEntry>().ToListAsync(token);
        var letters = await AllDeadLettersAsync(runtime, token);
        var deadLetters = letters
            .Where(e => e.Envelope.Destination is not null)
            .GroupBy(e => EndpointOf(runtime, e))
            .ToDictionary(g => g.Key ?? "", g => g.Count());
        var partners = sharing.Partners.Select(p =>
        {
            var partner = p.Agency.ToUpperInvariant();
            var mine = entries.Where(e => e.Partner == partner).ToList();
            var pending = mine.Where(e => e.AckedVersion < e.SentVersion && !e.Refused).ToList();
            return new PartnerStatus(partner, p.PolicyId, p.Records, p.AllowNotes,
                mine.Count(e => e.AckedVersion >= e.SentVersion && !e.Withdrawn), pending.Count,
                mine.Count(e => e.Withdrawn && e.AckedVersion >= e.SentVersion), deadLetters.GetValueOrDefault(SharingOptions.EndpointOf(partner)),
                pending.Count == 0 ? null : pending.Min(e => e.SentAt), mine.Max(e => e.AckedAt),
                mine.Count(e => e.Refused), deadLetters.GetValueOrDefault(SharingOptions.ListenerOf(partner)));
        }).ToList();
        var byEndpoint = sharing.Partners.SelectMany(p => new[] { SharingOptions.EndpointOf(p.Agency), SharingOptions.ListenerOf(p.Agency) }
            .Select(endpoint => (endpoint, partner: p.Agency.ToUpperInvariant()))).ToDictionary(x => x.endpoint, x => x.partner);
        var rows = letters.OrderByDescending(e => e.SentAt).Take(50).Select(e =>
        {
            var endpoint = EndpointOf(runtime, e);
            return new DeadLetterRow(e.Id, endpoint, endpoint is not null && byEndpoint.TryGetValue(endpoint, out var partner) ? partner : null,
                e.MessageType, e.ExceptionType, e.ExceptionMessage, e.SentAt, e.Replayable);
        }).ToList();
        var refusals = entries.Where(e => e.Refused).OrderByDescending(e => e.AckedAt).Take(50)
            .Select(e => new RefusalRow(e.Partner, e.RecordId, e.RefusedVersion, e.RefusedReason, e.AckedAt)).ToList();
        return new SharingStatus(node.Agency, sharing.Transport, partners, rows, refusals);
    }

    /// <summary>
    /// Every dead letter, page by page: Wolverine answers one page (100 by default) per query, and the counts per
    /// partner must not stop at a page's size.
    /// </summary>
    private static async Task<List<DeadLetterEnvelope>> AllDeadLettersAsync(IWolverineRuntime runtime, CancellationToken token)
    {
        const int pageSize = 500;
        var seen = new Dictionary<Guid, DeadLetterEnvelope>();
        for (var page = 0; page < 1_000; page++)
        {
            var results = await runtime.Storage.DeadLetters.QueryAsync(new DeadLetterEnvelopeQuery { PageNumber = page, PageSize = pageSize }, token);
            var added = results.Envelopes.Count(e => seen.TryAdd(e.Id, e));
            if (results.Envelopes.Count < pageSize || (added == 0 && page > 0) || seen.Count >= results.TotalCount) break;
        }
        return [.. seen.Values];
    }

    private static string? EndpointOf(IWolverineRuntime runtime, DeadLetterEnvelope letter) =>
        letter.Envelope.Destination is { } destination ? runtime.Endpoints.EndpointFor(destination)?.EndpointName : null;
}
