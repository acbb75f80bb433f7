namespace SeizureIntel.Intelligence.National;

/// <summary>
/// UNODC's drug groups (the DrugGroup column of the data portal's drug seizure table) → this node's substance groups
/// (vocabularies.json, substance-groups), stated one by one. A group not listed here is refused by name rather than
/// guessed into "other": precursors, inhalants and substances not under international control have no counterpart in
/// the node's vocabulary, and a national total of them beside the node's figures would compare unlike things.
/// </summary>
public static class UnodcGroups
{
    /// <summary>UNODC name (as the export writes it, and the spellings older editions used) → node substance group.</summary>
    public static readonly IReadOnlyDictionary<string, string> Mapped = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Opioids"] = "opioids",
        ["Opiates"] = "opioids",
        ["Cannabis-type"] = "cannabis",
        ["Cannabis"] = "cannabis",
        ["Cocaine-type"] = "cocaine-type",
        ["Amphetamine-type stimulants"] = "ats",
        ["Amphetamine-type stimulants (excluding ecstasy)"] = "ats",
        ["Ecstasy-type substances"] = "ats",
        ["ATS"] = "ats",
        ["New psychoactive substances"] = "nps",
        ["NPS"] = "nps",
        ["Sedatives and tranquillizers"] = "sedatives",
        ["Sedatives and tranquilizers"] = "sedatives",
        ["Hallucinogens"] = "hallucinogens",
        ["Other drugs"] = "other",
    };

    private static readonly Dictionary<string, string> ByKey = Mapped.ToDictionary(p => Key(p.Key), p => p.Value);

    /// <summary>The node's substance group for a UNODC drug group, or null when it is not mapped.</summary>
    public static string? Map(string? unodcGroup) =>
        unodcGroup is not null && ByKey.TryGetValue(Key(unodcGroup), out var group) ? group : null;

    /// <summary>Case, spaces, hyphens and underscores do not matter ("Cannabis type", "cannabis-type").</summary>
    private static string Key(string name) =>
        new(name.Trim().ToLowerInvariant().Where(ch => !char.IsWhiteSpace(ch) && ch is not ('-' or '_' or '\u2013')).ToArray());
}
