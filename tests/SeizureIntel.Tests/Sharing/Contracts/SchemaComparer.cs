using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>
/// Compares a published JSON Schema with its current version and lists the changes that would break a reader of the
/// published one: every message valid under the published schema must stay valid under the current one, and mean the
/// same. Reported: a required property added; a property removed or renamed; a type narrowed (including null no longer
/// allowed); an enum value removed; a const, pattern or format added or changed; a bound tightened (minimum, maximum,
/// lengths, item counts, multipleOf, uniqueItems); an object closed (additionalProperties); the $id or $schema changed.
/// A keyword it does not reason about (anyOf, $ref, if, ...) must stay exactly as it was, else it is reported for review.
/// Descriptions, titles and other annotations may change freely.
/// </summary>
public static class SchemaComparer
{
    private static readonly HashSet<string> Annotations =
        ["title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly", "$anchor"];

    private static readonly string[] LowerBounds = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"];
    private static readonly string[] UpperBounds = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"];

    private static readonly HashSet<string> Understood =
    [
        "$schema", "$id", "type", "enum", "const", "required", "properties", "additionalProperties", "items", "$defs",
        "pattern", "format", "multipleOf", "uniqueItems", .. LowerBounds, .. UpperBounds,
    ];

    public static IReadOnlyList<string> BreakingChanges(JsonNode published, JsonNode current)
    {
        var found = new List<string>();
        foreach (var root in new[] { "$id", "$schema" })
            if (!JsonNode.DeepEquals(published[root], current[root]))
                found.Add($"#: {root} changed from {Show(published[root])} to {Show(current[root])}");
        Compare(published, current, "#", found);
        return found;
    }

    private static void Compare(JsonNode? published, JsonNode? current, string at, List<string> found)
    {
        // Boolean schemas: true accepts anything, false nothing.
        if (published is JsonValue pv && pv.TryGetValue<bool>(out var pb))
        {
            if (pb && !(current is JsonValue cv0 && cv0.TryGetValue<bool>(out var cb0) && cb0)) found.Add($"{at}: was true (anything), is now {Show(current)}");
            return;
        }
        if (current is JsonValue cv && cv.TryGetValue<bool>(out var cb))
        {
            if (!cb) found.Add($"{at}: is now false (nothing is valid)");
            return;
        }
        if (published is not JsonObject p || current is not JsonObject c)
        {
            if (!JsonNode.DeepEquals(published, current)) found.Add($"{at}: changed from {Show(published)} to {Show(current)}");
            return;
        }

        CompareTypes(p, c, at, found);
        CompareEnums(p, c, at, found);
        CompareExact("const", p, c, at, found);
        CompareExact("pattern", p, c, at, found);
        CompareExact("format", p, c, at, found);
        foreach (var bound in LowerBounds) CompareBound(bound, p, c, at, found, lower: true);
        foreach (var bound in UpperBounds) CompareBound(bound, p, c, at, found, lower: false);
        if (c["multipleOf"] is { } m && (p["multipleOf"] is not { } pm || Number(pm) % Number(m) != 0))
            found.Add($"{at}: multipleOf {Show(p["multipleOf"])} tightened to {Show(m)}");
        if (Bool(c["uniqueItems"]) && !Bool(p["uniqueItems"])) found.Add($"{at}: uniqueItems added");

        foreach (var name in Strings(c["required"]).Except(Strings(p["required"])))
            found.Add($"{at}: required property '{name}' added");

        var pProps = p["properties"] as JsonObject ?? new JsonObject();
        var cProps = c["properties"] as JsonObject ?? new JsonObject();
        foreach (var (name, schema) in pProps)
        {
            if (cProps.ContainsKey(name)) Compare(schema, cProps[name], $"{at}/properties/{name}", found);
            else found.Add($"{at}: property '{name}' removed or renamed");
        }
        // A property a published open object let through as anything must still accept what it did.
        foreach (var (name, schema) in cProps.Where(x => !pProps.ContainsKey(x.Key)))
            if (p["additionalProperties"] is not JsonValue closed || !closed.TryGetValue<bool>(out var open) || open)
                Compare(p["additionalProperties"] ?? true, schema, $"{at}/properties/{name}", found);

        if (p.ContainsKey("additionalProperties") || c.ContainsKey("additionalProperties"))
            Compare(p["additionalProperties"] ?? true, c["additionalProperties"] ?? true, $"{at}/additionalProperties", found);
        if (p.ContainsKey("items") || c.ContainsKey("items"))
            Compare(p["items"] ?? true, c["items"] ?? true, $"{at}/items", found);

        var pDefs = p["$defs"] as JsonObject ?? new JsonObject();
        var cDefs = c["$defs"] as JsonObject ?? new JsonObject();
        foreach (var (name, schema) in pDefs)
        {
            if (cDefs.ContainsKey(name)) Compare(schema, cDefs[name], $"{at}/$defs/{name}", found);
            else found.Add($"{at}: $defs '{name}' removed");
        }

        // Anything else ($ref, anyOf, oneOf, if, ...): no reasoning here, so it must not change at all.
        foreach (var keyword in p.Select(x => x.Key).Union(c.Select(x => x.Key)))
            if (!Understood.Contains(keyword) && !Annotations.Contains(keyword) && !JsonNode.DeepEquals(p[keyword], c[keyword]))
                found.Add($"{at}: '{keyword}' changed from {Show(p[keyword])} to {Show(c[keyword])}; the comparer cannot prove that compatible (make it v2, or review by hand)");
    }

    private static readonly string[] AnyType = ["array", "boolean", "integer", "null", "number", "object", "string"];

    private static void CompareTypes(JsonObject p, JsonObject c, string at, List<string> found)
    {
        var before = p["type"] is null ? AnyType : Strings(p["type"]);
        var now = c["type"] is null ? AnyType : Strings(c["type"]);
        // Every type accepted before must still be accepted (an integer is a number).
        var lost = before.Where(t => !now.Contains(t) && !(t == "integer" && now.Contains("number"))).ToList();
        if (lost.Count > 0) found.Add($"{at}: type narrowed from {Show(p["type"])} to {Show(c["type"])} ({string.Join(", ", lost)} no longer allowed)");
    }

    private static void CompareEnums(JsonObject p, JsonObject c, string at, List<string> found)
    {
        if (c["enum"] is not JsonArray now) return;
        if (p["enum"] is not JsonArray before)
        {
            if (p["const"] is not { } constant || !now.Any(v => JsonNode.DeepEquals(v, constant)))
                found.Add($"{at}: enum {Show(now)} added where any value was allowed");
            return;
        }
        foreach (var value in before.Where(v => !now.Any(n => JsonNode.DeepEquals(n, v))))
            found.Add($"{at}: enum value {Show(value)} removed");
    }

    private static void CompareExact(string keyword, JsonObject p, JsonObject c, string at, List<string> found)
    {
        if (c[keyword] is { } now && !JsonNode.DeepEquals(p[keyword], now))
            found.Add(p[keyword] is null ? $"{at}: {keyword} {Show(now)} added" : $"{at}: {keyword} changed from {Show(p[keyword])} to {Show(now)}");
    }

    private static void CompareBound(string keyword, JsonObject p, JsonObject c, string at, List<string> found, bool lower)
    {
        if (c[keyword] is not { } now) return;
        if (p[keyword] is not { } before) { found.Add($"{at}: {keyword} {Show(now)} added"); return; }
        if (lower ? Number(now) > Number(before) : Number(now) < Number(before))
            found.Add($"{at}: {keyword} tightened from {Show(before)} to {Show(now)}");
    }

    private static decimal Number(JsonNode node) => decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    private static bool Bool(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(x => x!.GetValue<string>()).ToList(),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static string Show(JsonNode? node) => node?.ToJsonString(Readable) ?? "(none)";
}
