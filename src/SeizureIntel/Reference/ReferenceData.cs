using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeizureIntel.Reference;

/// <summary>One coded term of a vocabulary, with its English and Russian names.</summary>
public sealed record Term(string Code, string En, string Ru)
{
    /// <summary>The substance group, for substances only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Group { get; init; }

    /// <summary>mass, volume or count, for units only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Kind { get; init; }

    /// <summary>Exact grams per unit, for mass units only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? Grams { get; init; }
}

/// <summary>
/// The controlled vocabularies (substances in UNODC groups, detection methods, units, agencies), kept as data in
/// <c>Reference/vocabularies.json</c> and loaded once. Codes are compared case-insensitively.
/// </summary>
public sealed class ReferenceData
{
    private readonly Dictionary<string, Dictionary<string, Term>> _byVocabulary;

    public ReferenceData(IReadOnlyDictionary<string, IReadOnlyList<Term>> vocabularies)
    {
        Vocabularies = vocabularies;
        _byVocabulary = vocabularies.ToDictionary(
            v => v.Key,
            v => v.Value.ToDictionary(t => t.Code, StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase);

        var groups = _byVocabulary[SubstanceGroups];
        var orphan = vocabularies[Substances].FirstOrDefault(s => s.Group is null || !groups.ContainsKey(s.Group));
        if (orphan is not null) throw new InvalidOperationException($"substance '{orphan.Code}' has no known group");
    }

    public const string Substances = "substances";
    public const string SubstanceGroups = "substance-groups";
    public const string DetectionMethods = "detection-methods";
    public const string Units = "units";
    public const string Agencies = "agencies";
    public const string Places = "places";
    public const string EntryMethods = "entry-methods";
    public const string ConcealmentMethods = "concealment-methods";
    public const string Possession = "possession";
    public const string SwgdrugCategories = "swgdrug-categories";

    public IReadOnlyDictionary<string, IReadOnlyList<Term>> Vocabularies { get; }

    /// <summary>The term of that code in that vocabulary, or null when either is unknown.</summary>
    public Term? Find(string vocabulary, string? code) =>
        code is not null && _byVocabulary.TryGetValue(vocabulary, out var terms) && terms.TryGetValue(code.Trim(), out var term)
            ? term
            : null;

    public IReadOnlyList<Term>? Vocabulary(string name) => Vocabularies.TryGetValue(name, out var terms) ? terms : null;

    public string GroupOf(string substance) => Find(Substances, substance)?.Group ?? "other";

    public static ReferenceData LoadEmbedded()
    {
        using var stream = typeof(ReferenceData).Assembly.GetManifestResourceStream("SeizureIntel.Reference.vocabularies.json")
                           ?? throw new InvalidOperationException("embedded vocabularies.json is missing");
        var raw = JsonSerializer.Deserialize<Dictionary<string, List<Term>>>(stream, JsonSerializerOptions.Web)
                  ?? throw new InvalidOperationException("vocabularies.json is empty");
        return new ReferenceData(raw.ToDictionary(p => p.Key, p => (IReadOnlyList<Term>)p.Value));
    }
}
