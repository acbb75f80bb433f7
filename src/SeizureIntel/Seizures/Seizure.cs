using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Seizures;

/// <summary>
/// The state of one seizure, folded from its own event stream (one stream per seizure). Marten keeps it as an
/// inline snapshot, so it is both the write model handlers decide on and the document GET /api/seizures/{id} reads.
/// </summary>
public sealed class Seizure
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Agency { get; set; } = "";
    public string Reference { get; set; } = "";
    public string FacilityId { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateOnly LocalDate { get; set; }
    public string TimeZone { get; set; } = "";
    public string Substance { get; set; } = "";
    public Quantity Quantity { get; set; } = new(0, "g");
    public string Detection { get; set; } = "";
    public string? Notes { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public bool Demo { get; set; }

    public static Seizure Create(SeizureRecorded e) => new()
    {
        Id = e.SeizureId,
        Agency = e.Agency,
        Reference = e.Reference,
        FacilityId = e.FacilityId,
        OccurredAt = e.OccurredAt,
        LocalDate = e.LocalDate,
        TimeZone = e.TimeZone,
        Substance = e.Substance,
        Quantity = e.Quantity,
        Detection = e.Detection,
        Notes = e.Notes,
        RecordedBy = e.RecordedBy,
        RecordedAt = e.RecordedAt,
        Demo = e.Demo,
    };
}
