using System.Text.Json.Serialization;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// What one seizure adds to the totals, as of its latest event: where and when it counts (local date), what and how
/// much (the lab's figures once there are any, else the field's), and whether it counts at all (not voided, not a
/// duplicate). Kept by <see cref="SeizureLedgerProjection"/> so a later event can take back the earlier contribution.
/// </summary>
public sealed class SeizureFact : ISeizureFields
{
    public Guid Id { get; set; }
    public string Agency { get; set; } = "";
    public string? FacilityId { get; set; }
    public string? Oblast { get; set; }
    public DateOnly LocalDate { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string FieldSubstance { get; set; } = "";
    public string Detection { get; set; } = "";
    public Circumstances Circumstances { get; set; } = Circumstances.None;
    public Quantity Quantity { get; set; } = new(0, "g");
    public string? LabSubstance { get; set; }
    public decimal? LabGrams { get; set; }
    public bool Voided { get; set; }
    public Guid? DuplicateOf { get; set; }
    public bool Demo { get; set; }

    /// <summary>The seizure's own point (WGS 84), if it has one; kept for the seizure-locations table (Intelligence/Spatial).</summary>
    public SeizureLocation? Location { get; set; }

    /// <summary>Derived on every apply from the quantity and the active conversion table (rebuilds recompute it).</summary>
    public decimal? FieldGrams { get; set; }

    /// <summary>The substance every total uses: the lab's confirmation, else the field identification.</summary>
    [JsonIgnore] public string Substance => LabSubstance ?? FieldSubstance;

    /// <summary>Best weight: the lab's net weight, else the field figure.</summary>
    [JsonIgnore] public decimal? Grams => LabGrams ?? FieldGrams;

    [JsonIgnore] public bool Counted => !Voided && DuplicateOf is null;

    public Contribution? Contribution(ReferenceData reference) => Counted
        ? new Contribution(Agency, FacilityId, LocalDate.Year, LocalDate.Month, Substance, reference.GroupOf(Substance), Detection,
            Grams, LabGrams, OccurredAt, Circumstances.Entry ?? "unknown", Oblast)
        : null;

    /// <summary>A shallow copy: <see cref="Apply"/> replaces members, never changes them in place, so this is the fact as it stood.</summary>
    public SeizureFact Copy() => (SeizureFact)MemberwiseClone();

    public void Apply(object @event, QuantityConverter converter)
    {
        switch (@event)
        {
            case SeizureRecorded e:
                this.Fold(e);
                break;
            case SeizureCorrected e:
                this.Fold(e);
                break;
            case LabAnalysisReported e:
                LabSubstance = e.ConfirmedSubstance;
                LabGrams = e.NetWeightGrams;
                break;
            case SeizureVoided:
                Voided = true;
                break;
            case SeizureMarkedDuplicate e:
                DuplicateOf = e.DuplicateOf;
                break;
            case PartnerSeizureReceived e:
                this.Fold(e);
                LabSubstance = e.Seizure.Lab?.ConfirmedSubstance;
                LabGrams = e.Seizure.Lab?.NetWeightGrams;
                break;
            case PartnerSeizureWithdrawn:
                Voided = true;
                break;
        }

        FieldGrams = converter.ToMass(FieldSubstance, Quantity)?.Grams;
    }
}

/// <summary>One seizure's share of every total. Grams is its best weight, null when the quantity has no known mass.</summary>
public sealed record Contribution(
    string Agency,
    string? FacilityId,
    int Year,
    int Month,
    string Substance,
    string SubstanceGroup,
    string Detection,
    decimal? Grams,
    decimal? LabConfirmedGrams,
    DateTimeOffset OccurredAt,
    string Entry,
    string? Oblast)
{
    /// <summary>
    /// No single seizure weighs more than this (a million tonnes, 4,000 times the largest seizure on record; the API
    /// refuses anything above 250 t): a contribution beyond it can only come from a record stored before the bounds,
    /// and counting it would swamp every total it enters (or overflow them), so the projection parks its event.
    /// </summary>
    public const decimal MaxGrams = 1_000_000_000_000m;

    public void EnsureBounded()
    {
        if (Grams is > MaxGrams or < 0 || LabConfirmedGrams is > MaxGrams or < 0)
            throw new ArithmeticException($"a seizure of {Grams ?? LabConfirmedGrams} g is outside 0..{MaxGrams:N0} g and cannot be counted");
    }
}

/// <summary>A count and a mass, added to and taken from exactly (decimal), so a rebuild gives the same figures.</summary>
public sealed class Tally
{
    public int Count { get; set; }

    /// <summary>Best weight: lab net weights where there are any, field figures elsewhere.</summary>
    public decimal Grams { get; set; }

    /// <summary>The part of <see cref="Grams"/> confirmed by a lab.</summary>
    public decimal LabConfirmedGrams { get; set; }

    /// <summary>Seizures counted whose quantity has no known mass (e.g. tablets no conversion table covers).</summary>
    public int WithoutMass { get; set; }

    [JsonIgnore] public bool IsEmpty => Count == 0 && Grams == 0 && LabConfirmedGrams == 0 && WithoutMass == 0;

    public void Add(Contribution c, int sign)
    {
        Count += sign;
        if (c.Grams is { } grams) Grams = Canonical(Grams + sign * grams);
        else WithoutMass += sign;
        if (c.LabConfirmedGrams is { } lab) LabConfirmedGrams = Canonical(LabConfirmedGrams + sign * lab);
    }

    /// <summary>
    /// Adds the seizures another tally counts: the same figures as adding each of them with <see cref="Add"/> (counts add,
    /// sums are exact and canonical either way).
    /// </summary>
    public void Merge(Tally other)
    {
        Count += other.Count;
        Grams = Canonical(Grams + other.Grams);
        LabConfirmedGrams = Canonical(LabConfirmedGrams + other.LabConfirmedGrams);
        WithoutMass += other.WithoutMass;
    }

    /// <summary>
    /// The same number with no trailing zeros (172.050 → 172.05): decimal keeps the scale of its operands, so without
    /// this the stored JSON would depend on the order of additions and subtractions, and a rebuild would differ in
    /// form though not in value.
    /// </summary>
    public static decimal Canonical(decimal value)
    {
        // Already without trailing zeros (a whole number, or a last digit other than 0): the division would return it as
        // it is, so it is skipped (the summing of a rebuild does this for every tally a seizure enters).
        if (value.Scale == 0) return value;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        // The 96-bit mantissa modulo 10, from its three 32-bit parts (2^32 and 2^64 are both 6 modulo 10).
        var lastDigit = ((ulong)(uint)bits[2] % 10 * 6 + (ulong)(uint)bits[1] % 10 * 6 + (ulong)(uint)bits[0] % 10) % 10;
        return lastDigit != 0 ? value : value / 1.000000000000000000000000000000000m;
    }
}
