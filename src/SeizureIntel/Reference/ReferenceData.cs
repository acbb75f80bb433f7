using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeizureIntel.Reference;

/// <summary>One coded term of a vocabulary, with its English and Russian names.</summary>
public sealed record Term(string Code, string En, string Ru)
{
    /// <summary>The substance group, for substances only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Group { get; init; }

    /// <summary>mass, volume or count, for units; screenings or hours, for effort kinds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Kind { get; init; }

    /// <summary>The detection method whose finds this kind of search effort produces, for effort kinds only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Detection { get; init; }

    /// <summary>Exact grams per unit, for mass units only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public decimal? Grams { get; init; }

    /// <summary>Other spellings people type for this term (abbreviations such as "гр", "кг", "табл"; "MDMA"), accepted as input.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Aliases { get; init; }

    /// <summary>Every text that names this term in input: its code, English and Russian names, and aliases.</summary>
    [JsonIgnore] public IEnumerable<string> Names => new[] { Code, En, Ru }.Concat(Aliases ?? []);

    /// <summary>The name in a language: Russian for "ru", else English.</summary>
    public string Name(string language) => language.StartsWith("ru", StringComparison.OrdinalIgnoreCase) ? Ru : En;
}

/// <summary>
/// The controlled vocabularies (substances in UNODC groups, detection methods, units, agencies), kept as data in
/// <c>Reference/vocabularies.json</c> and loaded once. Codes are compared case-insensitively; input may also name a
/// term by its English or Russian name or an alias ("Героин", "гр"), which resolves to the term's code.
/// </summary>
public sealed class ReferenceData
{
    private readonly Dictionary<string, Dictionary<string, Term>> _byVocabulary;
    private readonly Dictionary<string, Dictionary<string, Term>> _byName;

    public ReferenceData(IReadOnlyDictionary<string, IReadOnlyList<Term>> vocabularies)
    {
        Vocabularies = vocabularies;
        _byVocabulary = vocabularies.ToDictionary(
            v => v.Key,
            v => v.Value.ToDictionary(t => t.Code, StringComparer.OrdinalIgnoreCase),
            StringComparer.OrdinalIgnoreCase);
        _byName = vocabularies.ToDictionary(v => v.Key, v => NameIndex(v.Key, v.Value), StringComparer.OrdinalIgnoreCase);

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
    public const string EffortKinds = "effort-kinds";
    public const string InterventionKinds = "intervention-kinds";

    public IReadOnlyDictionary<string, IReadOnlyList<Term>> Vocabularies { get; }

    /// <summary>
    /// The term that text names in that vocabulary — its code, or its English or Russian name or an alias, any case
    /// (ё read as е) — or null when either is unknown. Callers store <see cref="Term.Code"/>, never the text.
    /// </summary>
    public Term? Find(string vocabulary, string? text) =>
        FindCode(vocabulary, text) ?? (text is not null && _byName.TryGetValue(vocabulary, out var names) &&
                                       names.TryGetValue(Normalise(text), out var named) ? named : null);

    /// <summary>The term of exactly that code (any case), or null: for contracts between nodes, where names are not codes.</summary>
    public Term? FindCode(string vocabulary, string? code) =>
        code is not null && _byVocabulary.TryGetValue(vocabulary, out var terms) && terms.TryGetValue(code.Trim(), out var term)
            ? term
            : null;

    /// <summary>
    /// Terms whose code or names start with or contain the text, or lie within a couple of typing errors of it, best
    /// first: the suggestions of a form field, and the "did you mean" of a refused code.
    /// </summary>
    public IReadOnlyList<Term> Suggest(string vocabulary, string? text, int max = 5)
    {
        if (Vocabulary(vocabulary) is not { } terms) return [];
        var typed = Normalise(text ?? "");
        if (typed.Length == 0) return terms.Take(max).ToList();
        return terms
            .Select(t => (Term: t, Score: t.Names.Select(n => Score(Normalise(n), typed)).Min()))
            .Where(x => x.Score < int.MaxValue)
            .OrderBy(x => x.Score)
            .Take(max)
            .Select(x => x.Term)
            .ToList();
    }

    /// <summary>0: equal; 1: starts with the text; 2: contains it; 3+: edit distance when small; else no match.</summary>
    private static int Score(string name, string typed)
    {
        if (name == typed) return 0;
        if (name.StartsWith(typed, StringComparison.Ordinal)) return 1;
        if (typed.Length >= 2 && name.Contains(typed, StringComparison.Ordinal)) return 2;
        var distance = EditDistance(name, typed);
        return distance <= Math.Max(1, Math.Min(3, typed.Length / 3)) ? 2 + distance : int.MaxValue;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static string Normalise(string text) => text.Trim().ToLowerInvariant().Replace('ё', 'е');

    /// <summary>Names and aliases of one vocabulary; a name shared by two terms would make input ambiguous, so it stops the load.</summary>
    private static Dictionary<string, Term> NameIndex(string vocabulary, IReadOnlyList<Term> terms)
    {
        var index = new Dictionary<string, Term>(StringComparer.Ordinal);
        foreach (var term in terms)
        foreach (var name in term.Names.Skip(1).Select(Normalise).Distinct())
        {
            if (index.TryGetValue(name, out var other) && other.Code != term.Code)
                throw new InvalidOperationException($"'{name}' names both '{other.Code}' and '{term.Code}' in {vocabulary}");
            index[name] = term;
        }
        return index;
    }

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
