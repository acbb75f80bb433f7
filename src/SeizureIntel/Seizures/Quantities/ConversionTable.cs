namespace SeizureIntel.Seizures.Quantities;

/// <summary>
/// Where a factor comes from: the document, the part of it, and the figure it gives, so that anyone can check the
/// factor against its source instead of trusting it.
/// </summary>
public sealed record FactorSource(string Document, string Section, string Figure, string? Url);

/// <summary>
/// Grams per unit of a volume or count unit, for one substance or for any substance (<see cref="AnySubstance"/>).
/// Mass units never have a factor: they convert exactly.
/// </summary>
public sealed record ConversionFactor(string Unit, string Substance, decimal GramsPerUnit, FactorSource Source)
{
    /// <summary>The substance code of a factor that applies to every substance without a factor of its own.</summary>
    public const string AnySubstance = "*";
}

/// <summary>
/// One published version of the quantity conversion table. A published version is never edited: a change is a new
/// version, and rebuilding the read models under it recomputes every derived mass, so each figure can say which
/// version produced it.
/// </summary>
public sealed class ConversionTable
{
    private readonly Dictionary<string, ConversionFactor> _byKey;

    public ConversionTable(string version, DateOnly published, string notes, IReadOnlyList<ConversionFactor> factors)
    {
        Version = version;
        Published = published;
        Notes = notes;
        Factors = factors;
        _byKey = factors.ToDictionary(f => Key(f.Unit, f.Substance), StringComparer.OrdinalIgnoreCase);
    }

    public string Version { get; }
    public DateOnly Published { get; }

    /// <summary>What the version covers, what it leaves out and why.</summary>
    public string Notes { get; }

    public IReadOnlyList<ConversionFactor> Factors { get; }

    /// <summary>
    /// The factor for a unit and substance: the substance's own if the table has one, else the one for any substance,
    /// else null (the quantity then has no mass rather than a guessed one).
    /// </summary>
    public ConversionFactor? Find(string unit, string substance) =>
        _byKey.GetValueOrDefault(Key(unit, substance)) ?? _byKey.GetValueOrDefault(Key(unit, ConversionFactor.AnySubstance));

    private static string Key(string unit, string substance) => $"{unit.Trim()}|{substance.Trim()}";
}
