using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using SeizureIntel.Contracts;

namespace SeizureIntel.Sharing.Receiving;

/// <summary>
/// The published JSON Schemas of the sharing contract (schemas/sharing/v1, embedded in the node) and the version rule:
/// a message of another major <c>schemaVersion</c> is refused; one of a newer <c>schemaMinor</c> of our major is read,
/// its fields unknown to us ignored (every object of v1 is closed, so for an older or equal minor an unknown field, such
/// as a person's name, is an error).
/// </summary>
public static partial class ContractSchemas
{
    private static readonly Dictionary<Type, string> FileOf = new()
    {
        [typeof(SeizureShared)] = "seizure-shared",
        [typeof(SeizureWithdrawn)] = "seizure-withdrawn",
        [typeof(ShareReceipt)] = "share-receipt",
        [typeof(JointOperationShared)] = "joint-operation-shared",
        [typeof(SeizuresShared)] = "seizures-shared",
        [typeof(ShareReceipts)] = "share-receipts",
    };

    private static readonly Lazy<Dictionary<Type, JsonSchema>> Schemas = new(() => FileOf.ToDictionary(p => p.Key, p => Load(p.Value)));

    private static JsonSchema Load(string file)
    {
        var name = $"sharing.v1.{file}.schema.json";
        using var stream = typeof(ContractSchemas).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded schema {name} is missing");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.Hierarchical, RequireFormatValidation = true };
    private static readonly EvaluationOptions Quick = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };

    /// <summary>What is wrong with <paramref name="json"/> as a <paramref name="type"/> message; null when nothing is.</summary>
    public static string? Problem(Type type, ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { return $"not JSON: {e.Message}"; }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
            if (!root.TryGetProperty("schemaVersion", out var major) || major.ValueKind != JsonValueKind.Number || !major.TryGetInt32(out var m))
                return "schemaVersion is missing or not an integer";
            if (m != ContractVersion.Major)
                return $"schemaVersion {major.GetRawText()} is not supported: this node reads {ContractVersion.Major}.x (up to {ContractVersion.Major}.{ContractVersion.Minor}, newer minors of {ContractVersion.Major} too)";
            var minor = root.TryGetProperty("schemaMinor", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var mi) ? mi : 0;
            var newerMinor = minor > ContractVersion.Minor;

            // Most messages are valid: a pass/fail evaluation first (no per-keyword report), the full report only for a failure.
            if (Schemas.Value[type].Evaluate(root, Quick).IsValid) return null;
            var result = Schemas.Value[type].Evaluate(root, Options);
            if (result.IsValid) return null;
            var errors = new List<string>();
            Collect(result, errors, newerMinor);
            if (errors.Count == 0) return newerMinor ? null : "does not match its schema";
            return $"does not match schemas/sharing/v1/{FileOf[type]}.schema.json: {string.Join("; ", errors.Take(5))}";
        }
    }

    /// <summary>
    /// The raw JSON of each element of a many-in-one message's array (<paramref name="property"/>), in order, so that each
    /// is checked against its own message's schema; null when <paramref name="json"/> has no such array.
    /// </summary>
    public static List<byte[]>? Elements(ReadOnlySpan<byte> json, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(property, out var array) ||
                array.ValueKind != JsonValueKind.Array) return null;
            return array.EnumerateArray().Select(e => System.Text.Encoding.UTF8.GetBytes(e.GetRawText())).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"/anyOf/\d+$")]
    private static partial Regex Alternative();

    /// <summary>The leaf errors; fields not in the contract are ignored when the message is of a newer minor.</summary>
    private static void Collect(EvaluationResults result, List<string> errors, bool newerMinor)
    {
        if (result.IsValid) return;
        if (result.Errors is { } own)
            foreach (var (keyword, message) in own)
            {
                var at = result.InstanceLocation.ToString() is { Length: > 0 } location ? location : "/";
                var unknownField = keyword.Length == 0 && result.EvaluationPath.ToString().EndsWith("/additionalProperties");
                if (unknownField && newerMinor) continue;
                errors.Add(unknownField ? $"{at} is not a field of the contract" : $"{at} [{keyword}]: {message}");
            }
        if (result.Details is not { } details) return;
        // The failing branches of an anyOf that another branch satisfies are no error.
        var satisfied = details.Any(d => d.IsValid && Alternative().IsMatch(d.EvaluationPath.ToString()));
        foreach (var detail in details)
            if (!(satisfied && Alternative().IsMatch(detail.EvaluationPath.ToString()))) Collect(detail, errors, newerMinor);
    }
}
