using System.Text.Json;
using System.Text.Json.Serialization;

namespace SeizureIntel.Imports.Reading;

/// <summary>
/// How to read a file whose layout is not the template's (a JSON file, <c>--mapping M</c> or the multipart part
/// "mapping"): which header holds which column, value aliases per column ("гашиш" → cannabis-resin), extra date
/// formats, and optionally the delimiter, encoding and decimal separator instead of detecting them.
/// </summary>
public sealed record ImportMapping
{
    /// <summary>Template column → the header in the file, e.g. {"occurred_at": "Дата изъятия"}.</summary>
    public Dictionary<string, string> Columns { get; init; } = new();

    /// <summary>Template column → (text in the file → value to read), e.g. {"substance": {"гашиш": "cannabis-resin"}}.</summary>
    public Dictionary<string, Dictionary<string, string>> Values { get; init; } = new();

    /// <summary>Extra .NET date formats tried before the built-in ones, e.g. ["dd/MM/yyyy", "dd.MM.yy HH:mm"].</summary>
    public List<string> DateFormats { get; init; } = [];

    /// <summary>Template column → value used when the file has no such column or the cell is empty.</summary>
    public Dictionary<string, string> Defaults { get; init; } = new();

    /// <summary>",", ";" or "\t"; detected from the header line when absent.</summary>
    public string? Delimiter { get; init; }

    /// <summary>"utf-8" or "windows-1251"; detected when absent.</summary>
    public string? Encoding { get; init; }

    /// <summary>"," or "."; when absent a number's own shape decides, and an ambiguous one ("1,250") is refused.</summary>
    public string? Decimal { get; init; }

    public static readonly ImportMapping None = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads a mapping file; the error names what is wrong (unknown column, bad delimiter …).</summary>
    public static (ImportMapping? Mapping, string? Error) Parse(string json)
    {
        ImportMapping? mapping;
        try { mapping = JsonSerializer.Deserialize<ImportMapping>(json, Json); }
        catch (JsonException e) { return (null, $"is not a valid mapping file: {e.Message}"); }
        if (mapping is null) return (null, "is empty");
        var unknown = mapping.Columns.Keys.Concat(mapping.Values.Keys).Concat(mapping.Defaults.Keys)
            .Where(k => !ImportColumns.Names.Contains(k)).Distinct().ToList();
        if (unknown.Count > 0) return (null, $"names unknown columns {string.Join(", ", unknown)}; the columns are {string.Join(", ", ImportColumns.Names)}");
        if (mapping.Delimiter is not null and not ("," or ";" or "\t")) return (null, "delimiter must be \",\", \";\" or \"\\t\"");
        if (mapping.Decimal is not null and not ("," or ".")) return (null, "decimal must be \",\" or \".\"");
        if (mapping.Encoding is not null && TextDetection.EncodingNamed(mapping.Encoding) is null)
            return (null, "encoding must be utf-8 or windows-1251");
        return (mapping, null);
    }

    /// <summary>The value a cell stands for: its alias in this mapping (any case), else the text itself.</summary>
    public string? Alias(string column, string? text)
    {
        if (text is null || !Values.TryGetValue(column, out var aliases)) return text;
        foreach (var (from, to) in aliases)
            if (string.Equals(from.Trim(), text.Trim(), StringComparison.OrdinalIgnoreCase)) return to;
        return text;
    }
}
