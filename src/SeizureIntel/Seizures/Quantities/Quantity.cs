using SeizureIntel.Reference;

namespace SeizureIntel.Seizures.Quantities;

/// <summary>A quantity exactly as the officer recorded it. Kept forever; masses are derived from it.</summary>
public sealed record Quantity(decimal Value, string Unit);

/// <summary>A mass in grams derived from a recorded quantity; <see cref="Estimated"/> when it went through a conversion table.</summary>
public sealed record Mass(decimal Grams, bool Estimated, string? TableVersion);

/// <summary>
/// Derives grams from a recorded quantity. Mass units (mg, g, kg) convert exactly and are not estimates. Volumes and
/// counts go through the node's active <see cref="ConversionTable"/>: the result is an estimate that names the table
/// version, and a quantity the table does not cover has no mass (null) rather than a guessed one.
/// </summary>
public sealed class QuantityConverter(ReferenceData reference, ConversionTable table)
{
    /// <summary>The conversion table version this node derives masses with.</summary>
    public ConversionTable Table => table;

    public Mass? ToMass(string substance, Quantity quantity)
    {
        var unit = reference.Find(ReferenceData.Units, quantity.Unit);
        if (unit is null) return null;
        if (unit is { Kind: "mass", Grams: { } gramsPerUnit })
            return new Mass(quantity.Value * gramsPerUnit, Estimated: false, TableVersion: null);
        return table.Find(unit.Code, substance) is { } factor
            ? new Mass(quantity.Value * factor.GramsPerUnit, Estimated: true, TableVersion: table.Version)
            : null;
    }
}
