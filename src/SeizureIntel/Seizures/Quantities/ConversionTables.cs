using System.Text.Json;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;

namespace SeizureIntel.Seizures.Quantities;

/// <summary>
/// Every published version of the conversion table, in order of publication, from
/// <c>Seizures/Quantities/conversion-tables.json</c> (or a file named by <c>SeizureIntel:ConversionTablesFile</c>).
/// Loaded once at start-up and checked against the vocabularies, so that a bad table stops the node instead of
/// silently producing wrong masses.
/// </summary>
public sealed class ConversionTables
{
    public const string ResourceName = "SeizureIntel.Seizures.Quantities.conversion-tables.json";

    private ConversionTables(IReadOnlyList<ConversionTable> versions, string origin)
    {
        Versions = versions;
        Origin = origin;
    }

    /// <summary>The versions in order of publication; the last is the latest.</summary>
    public IReadOnlyList<ConversionTable> Versions { get; }

    public ConversionTable Latest => Versions[^1];

    /// <summary>Where the tables were read from (the embedded resource or a file), for messages.</summary>
    public string Origin { get; }

    public ConversionTable? Find(string version) =>
        Versions.FirstOrDefault(v => string.Equals(v.Version, version.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The version a node derives masses with: the one configured, or the latest when none is. An unknown version is an
    /// error, never a fall-back to another table, because figures would then claim a version they were not computed with.
    /// </summary>
    public ConversionTable Select(string? version) =>
        string.IsNullOrWhiteSpace(version)
            ? Latest
            : Find(version) ?? throw new InvalidOperationException(
                $"SeizureIntel:ConversionTableVersion '{version}' is not a published conversion table version " +
                $"(published in {Origin}: {string.Join(", ", Versions.Select(v => v.Version))}). " +
                "Set it to one of those, or leave it empty to use the latest.");

    public static ConversionTables LoadEmbedded(ReferenceData reference)
    {
        using var stream = typeof(ConversionTables).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException("embedded conversion-tables.json is missing");
        return Load(stream, reference, "the embedded conversion-tables.json");
    }

    public static ConversionTables LoadFile(string path, ReferenceData reference)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"SeizureIntel:ConversionTablesFile '{path}' does not exist.");
        using var stream = File.OpenRead(path);
        return Load(stream, reference, path);
    }

    /// <summary>Reads and validates a table set; every problem found is reported at once, with where it is.</summary>
    public static ConversionTables Load(Stream json, ReferenceData reference, string origin)
    {
        List<RawVersion?>? raw;
        try
        {
            raw = JsonSerializer.Deserialize<List<RawVersion?>>(json, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{origin} is not a valid conversion table set: {e.Message}", e);
        }

        var errors = new List<string>();
        var versions = new List<ConversionTable>();
        if (raw is null || raw.Count == 0) errors.Add("it publishes no version");

        foreach (var (v, i) in (raw ?? []).Select((v, i) => (v, i)))
        {
            var name = v?.Version?.Trim();
            var at = string.IsNullOrEmpty(name) ? $"version #{i + 1}" : $"version '{name}'";
            if (v is null) { errors.Add($"{at} is empty"); continue; }
            if (string.IsNullOrEmpty(name)) errors.Add($"{at} has no version name");
            else if (versions.Any(p => string.Equals(p.Version, name, StringComparison.OrdinalIgnoreCase))) errors.Add($"{at} is published twice");
            if (v.Published is not { } published) errors.Add($"{at} has no published date");
            else if (versions.Count > 0 && published < versions[^1].Published)
                errors.Add($"{at} ({published:yyyy-MM-dd}) is listed after '{versions[^1].Version}' ({versions[^1].Published:yyyy-MM-dd}): list versions in order of publication");
            if (string.IsNullOrWhiteSpace(v.Notes)) errors.Add($"{at} has no notes (say what it covers and why)");

            var factors = new List<ConversionFactor>();
            foreach (var (f, j) in (v.Factors ?? []).Select((f, j) => (f, j)))
            {
                var where = $"{at}, factor #{j + 1}";
                var factor = CheckFactor(f, reference, where, errors);
                if (factor is null) continue;
                if (factors.Any(p => p.Unit == factor.Unit && p.Substance == factor.Substance))
                    errors.Add($"{where}: unit '{factor.Unit}' for substance '{factor.Substance}' has a factor already");
                else factors.Add(factor);
            }
            versions.Add(new ConversionTable(name ?? "", v.Published ?? default, v.Notes ?? "", factors));
        }

        if (errors.Count > 0)
            throw new InvalidOperationException($"{origin} is not a valid conversion table set:{Environment.NewLine}- " +
                                                string.Join(Environment.NewLine + "- ", errors));
        return new ConversionTables(versions, origin);
    }

    /// <summary>A factor with its codes made canonical (as the vocabularies spell them), or null when it is unusable.</summary>
    private static ConversionFactor? CheckFactor(RawFactor? f, ReferenceData reference, string where, List<string> errors)
    {
        if (f is null) { errors.Add($"{where} is empty"); return null; }
        var before = errors.Count;

        var unit = reference.Find(ReferenceData.Units, f.Unit);
        if (string.IsNullOrWhiteSpace(f.Unit)) errors.Add($"{where}: unit is required");
        else if (unit is null) errors.Add($"{where}: unit '{f.Unit}' is not a known unit");
        else if (unit.Kind == "mass") errors.Add($"{where}: unit '{unit.Code}' is a mass unit, which converts exactly and takes no factor");

        var any = f.Substance?.Trim() == ConversionFactor.AnySubstance;
        var substance = any ? null : reference.Find(ReferenceData.Substances, f.Substance);
        if (string.IsNullOrWhiteSpace(f.Substance)) errors.Add($"{where}: substance is required (a code, or \"*\" for any)");
        else if (!any && substance is null) errors.Add($"{where}: substance '{f.Substance}' is not a known substance code");

        if (f.GramsPerUnit is not > 0) errors.Add($"{where}: gramsPerUnit must be greater than zero");
        if (string.IsNullOrWhiteSpace(f.Source?.Document) || string.IsNullOrWhiteSpace(f.Source?.Figure))
            errors.Add($"{where}: a source with its document and figure is required");

        return errors.Count > before
            ? null
            : new ConversionFactor(unit!.Code, any ? ConversionFactor.AnySubstance : substance!.Code, f.GramsPerUnit!.Value,
                new FactorSource(f.Source!.Document!.Trim(), f.Source.Section?.Trim() ?? "", f.Source.Figure!.Trim(), f.Source.Url?.Trim()));
    }

    // The file as written: everything optional, so that a missing field is reported by name instead of failing to parse.
    private sealed record RawVersion(string? Version, DateOnly? Published, string? Notes, List<RawFactor?>? Factors);
    private sealed record RawFactor(string? Unit, string? Substance, decimal? GramsPerUnit, RawSource? Source);
    private sealed record RawSource(string? Document, string? Section, string? Figure, string? Url);
}
