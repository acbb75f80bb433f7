
namespace SeizureIntel.Agencies;

/// <summary>
/// The agencies a node can serve or share with, by code. The one list every rule reads: which agency runs a node, who
/// takes part in an operation, who a record may go to, which agency a filter or a partner's message names.
/// </summary>
public static class KnownAgencies
{
    private static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["SSEP"] = "State Service of Execution of Punishment",
        ["SSDC"] = "State Service on Drug Control",
        ["MVD"] = "Ministry of Interior",
    };

    /// <summary>Every known agency code, in a stable order.</summary>
    public static IReadOnlyCollection<string> Codes => (IReadOnlyCollection<string>)Names.Keys;

    /// <summary>"SSEP, SSDC, MVD": for messages that tell a user which codes there are.</summary>
    public static string CodeList => string.Join(", ", Names.Keys);

    /// <summary>Whether <paramref name="code"/> is a known agency code exactly as written (codes are upper case).</summary>
    public static bool IsKnown(string? code) => code is not null && Names.ContainsKey(code);

    /// <summary>The agency's code for a value as a user typed it (any case, spaces around), or null when it is none.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var code = value.Trim().ToUpperInvariant();
        return Names.ContainsKey(code) ? code : null;
    }

    public static string NameOf(string code) => Names[code];
}
