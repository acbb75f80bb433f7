using Marten;
using SeizureIntel.Contracts;

namespace SeizureIntel.Sharing.Receiving;

/// <summary>
/// A partner's withdrawal of a record this node does not hold (yet). Records and withdrawals are applied in separate
/// batches, so a withdrawal can overtake the share it withdraws; this note keeps the withdrawn version, and a share of
/// that record at or below it is answered "already applied" and not shown. A later version (the origin shares the record
/// again) is applied as usual. Id: "{origin agency}:{record}", so one partner's note never stands for another's record.
/// </summary>
public sealed class WithdrawnBeforeArrival
{
    public string Id { get; set; } = "";
    public Guid RecordId { get; set; }
    public string OriginAgency { get; set; } = "";
    public long OriginVersion { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    public static string IdFor(string originAgency, Guid record) => $"{originAgency}:{record}";

    /// <summary>Notes the withdrawn version, unless a note of this batch or an earlier one already holds a newer one.</summary>
    public static void Remember(IDocumentSession session, Dictionary<string, WithdrawnBeforeArrival> notes, SeizureWithdrawn message, DateTimeOffset now)
    {
        var id = IdFor(message.OriginAgency, message.OriginId);
        if (notes.TryGetValue(id, out var known) && known.OriginVersion >= message.OriginVersion) return;
        var note = new WithdrawnBeforeArrival
        {
            Id = id, RecordId = message.OriginId, OriginAgency = message.OriginAgency, OriginVersion = message.OriginVersion, ReceivedAt = now,
        };
        notes[id] = note;
        session.Store(note);
    }
}
