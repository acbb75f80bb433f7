using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>
/// A change to a published schema or to the C# contracts must not break a reader of the published version: the golden
/// samples still validate and still read back without losing a value, and the schema files have changed only in ways
/// their frozen copies (samples/v1/frozen) prove compatible.
/// </summary>
public sealed class BackwardCompatibilityTests
{
    public static TheoryData<string> Schemas => [.. ContractFiles.SchemaOf.Values];

    [Fact]
    public void every_schema_has_golden_samples_and_every_sample_is_checked_in()
    {
        var stored = GoldenSamples.Stored();
        foreach (var schema in ContractFiles.SchemaOf.Values) stored.ShouldContain(s => s.Schema == schema, $"no golden sample of {schema}");
        stored.Select(s => s.Schema).ShouldAllBe(schema => ContractFiles.SchemaOf.Values.Contains(schema));
        var missing = GoldenSamples.FromCode().Select(s => s.File).Except(stored.Select(s => s.File)).ToList();
        missing.ShouldBeEmpty($"samples not written yet: run the tests once with {WriteSamplesFactAttribute.Variable}=1 and commit them");
    }

    [Fact]
    public void the_golden_samples_still_validate_against_the_current_schemas()
    {
        foreach (var (file, schema, json) in GoldenSamples.Stored())
            ContractFiles.ShouldMatchSchema(json, schema, $"golden sample {file}.json");
    }

    [Fact]
    public void the_golden_samples_still_read_into_the_current_contract_types_without_losing_a_value()
    {
        // As strict as a reader can be: a sample field the C# type no longer has is an error, not silently dropped.
        var strict = new JsonSerializerOptions(ContractFiles.NodeJson) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };
        var problems = new List<string>();
        foreach (var (file, schema, json) in GoldenSamples.Stored())
        {
            object message;
            try
            {
                message = JsonSerializer.Deserialize(json, ContractFiles.MessageTypeOf(schema), strict)
                    ?? throw new JsonException("read as null");
            }
            catch (JsonException e)
            {
                problems.Add($"{file}: does not deserialize into {ContractFiles.MessageTypeOf(schema).Name}: {e.Message}");
                continue;
            }
            // Written again by the current code, every value of the sample comes back equal.
            var written = JsonNode.Parse(ContractFiles.Serialize(message))!;
            problems.AddRange(RoundTripDifferences(JsonNode.Parse(json)!, written, "$").Select(d => $"{file}: {d}"));
        }
        problems.ShouldBeEmpty();
    }

    /// <summary>
    /// Where the value read and written again differs from the sample. A property the sample does not have may come back
    /// only as null: an optional field added since, which old messages simply lack.
    /// </summary>
    public static IEnumerable<string> RoundTripDifferences(JsonNode? sample, JsonNode? written, string at)
    {
        switch (sample, written)
        {
            case (JsonObject s, JsonObject w):
                foreach (var (name, value) in s)
                {
                    if (!w.ContainsKey(name)) { yield return $"{at}.{name} is lost"; continue; }
                    foreach (var d in RoundTripDifferences(value, w[name], $"{at}.{name}")) yield return d;
                }
                foreach (var (name, value) in w.Where(x => !s.ContainsKey(x.Key) && x.Value is not null))
                    yield return $"{at}.{name} comes back as {value!.ToJsonString()} but the sample has no such field";
                break;
            case (JsonArray s, JsonArray w):
                if (s.Count != w.Count) { yield return $"{at} had {s.Count} items, comes back with {w.Count}"; break; }
                for (var i = 0; i < s.Count; i++)
                    foreach (var d in RoundTripDifferences(s[i], w[i], $"{at}[{i}]")) yield return d;
                break;
            case (JsonValue s, JsonValue w) when s.GetValueKind() == JsonValueKind.Number && w.GetValueKind() == JsonValueKind.Number:
                if (decimal.Parse(s.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture)
                    != decimal.Parse(w.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture))
                    yield return $"{at} was {s.ToJsonString()}, comes back as {w.ToJsonString()}";
                break;
            default:
                if (!JsonNode.DeepEquals(sample, written))
                    yield return $"{at} was {sample?.ToJsonString() ?? "null"}, comes back as {written?.ToJsonString() ?? "null"}";
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void the_current_schema_breaks_no_reader_of_the_published_one(string schema)
    {
        var published = ContractFiles.ReadJson(ContractFiles.FrozenPath(schema));
        var current = ContractFiles.ReadJson(ContractFiles.SchemaPath(schema));
        var breaking = SchemaComparer.BreakingChanges(published, current);
        if (breaking.Count > 0)
            throw new Xunit.Sdk.XunitException(
                $"schemas/sharing/{ContractFiles.Version}/{schema}.schema.json changed in a way that breaks readers of the published version; " +
                $"make it a new version (schemas/sharing/v2, schemaVersion 2) instead:\n  {string.Join("\n  ", breaking)}");
    }

    // ---- The comparer itself: it reports what breaks readers, and lets compatible changes through. ----

    private static JsonNode Current(string schema = "seizure-shared") => ContractFiles.ReadJson(ContractFiles.SchemaPath(schema));

    private static IReadOnlyList<string> AfterChange(Action<JsonNode> change, string schema = "seizure-shared")
    {
        var published = Current(schema);
        var changed = published.DeepClone();
        change(changed);
        return SchemaComparer.BreakingChanges(published, changed);
    }

    private static JsonObject Seizure(JsonNode root) => root["properties"]!["seizure"]!.AsObject();

    public static TheoryData<string, string> BreakingEdits => new()
    {
        { "a required property added", "required property 'confirmedBy' added" },
        { "a property removed", "property 'policyId' removed or renamed" },
        { "a property renamed", "property 'detection' removed or renamed" },
        { "a nullable type made non-nullable", "type narrowed" },
        { "a number made an integer", "type narrowed" },
        { "an enum value removed", "enum value \"duplicate\" removed" },
        { "an enum value removed from a nested array", "enum value \"MVD\" removed" },
        { "a const changed", "const changed from 1 to 2" },
        { "a maximum length lowered", "maxLength tightened from 4000 to 200" },
        { "a minimum raised", "minimum tightened from 1 to 2" },
        { "a pattern added", "pattern \"^[A-Z]+-[0-9]+$\" added" },
        { "a format changed", "format changed from \"uuid\" to \"uri\"" },
        { "an open object closed", "was true (anything), is now false" },
        { "the $id changed", "$id changed" },
        { "an anyOf changed", "'anyOf' changed" },
    };

    [Theory]
    [MemberData(nameof(BreakingEdits))]
    public void the_comparer_reports_a_breaking_change(string edit, string reported)
    {
        Action<JsonNode> change = edit switch
        {
            "a required property added" => root =>
            {
                Seizure(root)["properties"]!.AsObject()["confirmedBy"] = new JsonObject { ["type"] = "string" };
                Seizure(root)["required"]!.AsArray().Add("confirmedBy");
            },
            "a property removed" => root =>
            {
                root["properties"]!.AsObject().Remove("policyId");
                root["required"]!.AsArray().Remove(root["required"]!.AsArray().First(x => x!.GetValue<string>() == "policyId"));
            },
            "a property renamed" => root =>
            {
                var props = Seizure(root)["properties"]!.AsObject();
                var detection = props["detection"]!;
                props.Remove("detection");
                props["detectionMethod"] = detection;
            },
            "a nullable type made non-nullable" => root => Seizure(root)["properties"]!["notes"]!["type"] = "string",
            "a number made an integer" => root => Seizure(root)["properties"]!["quantity"]!["properties"]!["value"]!["type"] = "integer",
            "an enum value removed" => root => Seizure(root)["properties"]!["status"]!["enum"] = new JsonArray("counted", "voided"),
            "an enum value removed from a nested array" => root =>
                root["properties"]!["distribution"]!["properties"]!["partners"]!["items"]!["enum"] = new JsonArray("SSEP", "SSDC"),
            "a const changed" => root => root["properties"]!["schemaVersion"]!["const"] = 2,
            "a maximum length lowered" => root => Seizure(root)["properties"]!["notes"]!["maxLength"] = 200,
            "a minimum raised" => root => root["properties"]!["originVersion"]!["minimum"] = 2,
            "a pattern added" => root => root["properties"]!["policyId"]!["pattern"] = "^[A-Z]+-[0-9]+$",
            "a format changed" => root => root["properties"]!["originId"]!["format"] = "uri",
            "an open object closed" => root =>
            {
                // Published open, now closed: a field old messages may carry is refused.
                Seizure(root)["properties"]!["circumstances"]!["additionalProperties"] = false;
            },
            "the $id changed" => root => root["$id"] = "urn:seizureintel:sharing:v2:seizure-shared",
            "an anyOf changed" => root => Seizure(root)["anyOf"]!.AsArray().RemoveAt(1),
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        };

        if (edit == "an open object closed")
        {
            // Start from a published copy whose circumstances object was open.
            var published = Current();
            Seizure(published)["properties"]!["circumstances"]!.AsObject().Remove("additionalProperties");
            var changed = published.DeepClone();
            change(changed);
            SchemaComparer.BreakingChanges(published, changed).ShouldContain(x => x.Contains(reported), edit);
            return;
        }
        var found = AfterChange(change);
        found.ShouldContain(x => x.Contains(reported), $"{edit}: reported {string.Join("; ", found)}");
    }

    [Fact]
    public void a_breaking_change_also_fails_the_golden_samples()
    {
        // Renaming a property in an in-memory copy: the published samples no longer validate against it.
        var changed = Current().DeepClone();
        var props = Seizure(changed)["properties"]!.AsObject();
        var detection = props["detection"]!;
        props.Remove("detection");
        props["detectionMethod"] = detection;
        var renamed = ContractFiles.Build(changed.ToJsonString());
        foreach (var (file, _, json) in GoldenSamples.Stored().Where(s => s.Schema == "seizure-shared"))
            ContractFiles.Errors(renamed, json).ShouldNotBeEmpty(file);
    }

    public static TheoryData<string> CompatibleEdits =>
    [
        "an optional property added", "an enum value added", "a type widened to allow null", "a property no longer required",
        "a bound loosened", "a description edited",
    ];

    [Theory]
    [MemberData(nameof(CompatibleEdits))]
    public void the_comparer_lets_a_compatible_change_through(string edit)
    {
        var found = AfterChange(edit switch
        {
            "an optional property added" => root => Seizure(root)["properties"]!.AsObject()["seizureMethod"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            "an enum value added" => root => root["properties"]!["originAgency"]!["enum"]!.AsArray().Add("CUSTOMS"),
            "a type widened to allow null" => root => Seizure(root)["properties"]!["timeZone"]!["type"] = new JsonArray("string", "null"),
            "a property no longer required" => root => Seizure(root)["required"]!.AsArray().RemoveAt(0),
            "a bound loosened" => root => Seizure(root)["properties"]!["notes"]!["maxLength"] = 8000,
            "a description edited" => root => root["description"] = "reworded",
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        });
        found.ShouldBeEmpty(edit);
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void the_unchanged_schema_is_compatible_with_itself(string schema) =>
        SchemaComparer.BreakingChanges(Current(schema), Current(schema)).ShouldBeEmpty();
}
