using System.Text.Json.Serialization;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// What one seizure adds to the totals, as of its latest event: where and when it counts (local date), what and how
/// much. Kept by <see cref="SeizureLedgerProjection"/> so that a later event can take back the earlier contribution.
/// </summary>
public sealed class SeizureFact
{
    public Guid Id { get; set; }
    public string Agency { get; set; } = "";
    public string FacilityId { get; set; } = "";
    public DateOnly LocalDate { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string Substance { get; set; } = "";
    public string SubstanceGroup { get; set; } = "";
    public string Detection { get; set; } = "";
    public Quantity Quantity { get; set; } = new(0, "g");
    public decimal? Grams { get; set; }
    public bool Demo { get; set; }

    public Contribution Contribution() =>
        new(Agency, FacilityId, LocalDate.Year, LocalDate.Month, Substance, SubstanceGroup, Detection, Grams, OccurredAt);

    public void Apply(object @event, ReferenceData reference, QuantityConverter converter)
    {
        switch (@event)
        {
            case SeizureRecorded e:
                Agency = e.Agency;
                FacilityId = e.FacilityId;
                LocalDate = e.LocalDate;
                OccurredAt = e.OccurredAt;
                Substance = e.Substance;
                Detection = e.Detection;
                Quantity = e.Quantity;
                Demo = e.Demo;
                break;
        }

        SubstanceGroup = reference.GroupOf(Substance);
        Grams = converter.ToMass(Substance, Quantity)?.Grams;
    }
}

/// <summary>One seizure's share of every total. Grams is null when the quantity has no known mass.</summary>
public sealed record Contribution(
    string Agency,
    string FacilityId,
    int Year,
    int Month,
    string Substance,
    string SubstanceGroup,
    string Detection,
    decimal? Grams,
    DateTimeOffset OccurredAt);

/// <summary>A count and a mass, added to and taken from exactly (decimal), so a rebuild gives the same figures.</summary>
public sealed class Tally
{
    public int Count { get; set; }
    public decimal Grams { get; set; }

    /// <summary>Seizures counted whose quantity has no known mass (e.g. tablets before a conversion table covers them).</summary>
    public int WithoutMass { get; set; }

    [JsonIgnore] public bool IsEmpty => Count == 0 && Grams == 0 && WithoutMass == 0;

    public void Add(Contribution c, int sign)
    {
        Count += sign;
        if (c.Grams is { } grams) Grams += sign * grams;
        else WithoutMass += sign;
    }
}
