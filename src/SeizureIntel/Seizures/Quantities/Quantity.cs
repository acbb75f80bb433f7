using SeizureIntel.Reference;

namespace SeizureIntel.Seizures.Quantities;

/// <summary>A quantity exactly as the officer recorded it. Kept forever; masses are derived from it.</summary>
public sealed record Quantity(decimal Value, string Unit);

/// <summary>A mass in grams derived from a recorded quantity; <see cref="Estimated"/> when it went through a conversion table.</summary>
public sealed record Mass(decimal Grams, bool Estimated, string? TableVersion);

/// <summary>
/// Derives grams from a recorded quantity. Mass units (mg, g, kg) convert exactly; volumes and counts need the
/// versioned conversion table and have no mass until one covers them.
/// </summary>
public sealed class QuantityConverter(ReferenceData reference)
{
    public Mass? ToMass(string substance, Quantity quantity)
    {
        var unit = reference.Find(ReferenceData.Units, quantity.Unit);
        return unit is { Kind: "mass", Grams: { } gramsPerUnit }
            ? new Mass(quantity.Value * gramsPerUnit, Estimated: false, TableVersion: null)
            : null;
    }
}
