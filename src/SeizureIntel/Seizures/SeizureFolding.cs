using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Seizures;

/// <summary>
/// The fields every view of a seizure keeps: the seizure itself (<see cref="Seizure"/>, the write model) and the
/// ledger's <see cref="Intelligence.Ledger.SeizureFact"/> (what it adds to the totals). Both fold them with
/// <see cref="SeizureFolding"/>, so a recording, a correction or a partner's snapshot moves the same fields the same
/// way in both, and a total can never disagree with the seizure it counts.
/// </summary>
public interface ISeizureFields
{
    string Agency { get; set; }
    string? FacilityId { get; set; }
    SeizureLocation? Location { get; set; }
    string? Oblast { get; set; }
    DateTimeOffset OccurredAt { get; set; }
    DateOnly LocalDate { get; set; }

    /// <summary>The substance as identified in the field (a lab result may confirm another).</summary>
    string FieldSubstance { get; set; }
    Quantity Quantity { get; set; }
    string Detection { get; set; }
    Circumstances Circumstances { get; set; }
    bool Demo { get; set; }
    bool Voided { get; set; }
    Guid? DuplicateOf { get; set; }
}

public static class SeizureFolding
{
    public static void Fold(this ISeizureFields s, SeizureRecorded e)
    {
        s.Agency = e.Agency;
        s.FacilityId = e.FacilityId;
        s.Location = e.Location;
        s.Oblast = e.Oblast;
        s.OccurredAt = e.OccurredAt;
        s.LocalDate = e.LocalDate;
        s.FieldSubstance = e.Substance;
        s.Quantity = e.Quantity;
        s.Detection = e.Detection;
        s.Circumstances = e.Circumstances ?? Circumstances.None;
        s.Demo = e.Demo;
    }

    /// <summary>A correction carries only what changed; an empty oblast means "no longer known"; a removed point is gone.</summary>
    public static void Fold(this ISeizureFields s, SeizureCorrected e)
    {
        s.FacilityId = e.FacilityId ?? s.FacilityId;
        s.Location = e.LocationRemoved ? null : e.Location ?? s.Location;
        if (e.Oblast is not null) s.Oblast = e.Oblast.Length == 0 ? null : e.Oblast;
        s.OccurredAt = e.OccurredAt ?? s.OccurredAt;
        s.LocalDate = e.LocalDate ?? s.LocalDate;
        s.FieldSubstance = e.Substance ?? s.FieldSubstance;
        s.Quantity = e.Quantity ?? s.Quantity;
        s.Detection = e.Detection ?? s.Detection;
        var c = s.Circumstances;
        s.Circumstances = new Circumstances(e.Place ?? c.Place, e.Entry ?? c.Entry, e.Concealment ?? c.Concealment, e.Possession ?? c.Possession);
    }

    /// <summary>A partner's record: its whole state comes with it, under its origin agency.</summary>
    public static void Fold(this ISeizureFields s, PartnerSeizureReceived e)
    {
        var shared = e.Seizure;
        s.Agency = e.OriginAgency;
        s.FacilityId = shared.FacilityId;
        s.Location = shared.Location is { } l ? new SeizureLocation(l.Lat, l.Lon, l.Oblast, l.CrossBorder) : null;
        s.Oblast = shared.Oblast;
        s.OccurredAt = shared.OccurredAt;
        s.LocalDate = shared.LocalDate;
        s.FieldSubstance = shared.Substance;
        s.Quantity = new Quantity(shared.Quantity.Value, shared.Quantity.Unit);
        s.Detection = shared.Detection;
        var c = shared.Circumstances;
        s.Circumstances = new Circumstances(c.Place, c.Entry, c.Concealment, c.Possession);
        s.Demo = shared.Demo;
        s.Voided = shared.Status == SeizureStatus.Voided;
        s.DuplicateOf = shared.DuplicateOf?.Id;
    }
}
