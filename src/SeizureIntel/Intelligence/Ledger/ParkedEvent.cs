using JasperFx.Events;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// An event a projection could not apply (a poison event: e.g. a quantity stored before the bounds existed whose
/// mass overflows), parked with its reason so that the projection goes on with every other event instead of retrying
/// this one forever. The event itself stays in the store untouched; the seizure it belongs to counts as it stood
/// before that event. Supervisors see parked events at GET /api/projections/parked and /health turns degraded while
/// any is parked. A rebuild parks the same events again (the projection is deterministic).
/// </summary>
public sealed class ParkedEvent
{
    /// <summary>"{projection}:{sequence}".</summary>
    public string Id { get; set; } = "";
    public string Projection { get; set; } = "";
    public long Sequence { get; set; }
    public Guid StreamId { get; set; }
    public string EventType { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset EventTimestamp { get; set; }

    public static ParkedEvent Of(string projection, IEvent e, Exception failure) =>
        Of(projection, e.Sequence, e.StreamId, e.EventTypeName, e.Timestamp, failure);

    /// <summary>The same from an event's columns (a rebuild reads the rows of mt_events itself).</summary>
    public static ParkedEvent Of(string projection, long sequence, Guid streamId, string eventType, DateTimeOffset timestamp, Exception failure) => new()
    {
        Id = $"{projection}:{sequence}",
        Projection = projection,
        Sequence = sequence,
        StreamId = streamId,
        EventType = eventType,
        Reason = $"{failure.GetType().Name}: {failure.Message}",
        EventTimestamp = timestamp,
    };
}
