using System.Text.Json.Nodes;
using System.Text.Json;
using Json.Schema;
using SeizureIntel.Contracts;
using static SeizureIntel.Tests.Sharing.Contracts.SharingExamples;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>Every message the code can produce, written as the node writes it, matches its published schema.</summary>
public sealed class MessageSchemaTests
{
    [Fact]
    public void every_message_the_sharing_policy_produces_matches_its_schema()
    {
        var produced = AllOutgoing();
        var failures = new List<string>();
        foreach (var p in produced)
        {
            var json = ContractFiles.Serialize(p.Message);
            var errors = ContractFiles.Errors(ContractFiles.Schema(ContractFiles.SchemaOf[p.Message.GetType()]), json);
            if (errors.Count > 0)
                failures.Add($"{p.Message.GetType().Name} for {p.Partner} from '{p.Case}' under {p.Policies}{(p.SentBefore ? ", sent before" : "")}:\n    "
                    + string.Join("\n    ", errors) + $"\n    message: {json}");
        }
        if (failures.Count > 0)
            throw new Xunit.Sdk.XunitException($"{failures.Count} of {produced.Count} messages do not match their schema:\n  " + string.Join("\n  ", failures));

        // The states are varied enough to reach every shape the contract allows the code to write.
        var shared = produced.Select(p => p.Message).OfType<SeizureShared>().ToList();
        produced.Select(p => p.Message).OfType<SeizureWithdrawn>().ShouldNotBeEmpty();
        shared.Select(m => m.HandlingCode).Distinct().ShouldBe(["H0", "H1", "H2"], ignoreOrder: true); // H3 is never passed on
        shared.Select(m => m.Distribution.Scope).Distinct().ShouldBe(["all-partners", "named-partners"], ignoreOrder: true);
        shared.Select(m => m.Seizure.Status).Distinct().ShouldBe(["counted", "duplicate"], ignoreOrder: true); // voided is withdrawn instead
        shared.ShouldContain(m => m.Seizure.FacilityId == null && m.Seizure.Location != null);
        shared.ShouldContain(m => m.Seizure.Location != null && m.Seizure.Location.CrossBorder && m.Seizure.Location.Oblast == null);
        shared.ShouldContain(m => m.Seizure.Lab != null && m.Seizure.Lab.PurityPercent == null);
        shared.ShouldContain(m => m.Seizure.Lab != null && m.Seizure.Lab.PurityPercent != null);
        shared.ShouldContain(m => m.Seizure.Notes != null);
        shared.ShouldContain(m => m.Seizure.Notes == null);
        shared.ShouldContain(m => m.Seizure.DuplicateOf != null);
        shared.ShouldContain(m => m.Seizure.Demo);
        shared.ShouldContain(m => m.OriginAgency == "SSDC"); // a partner's record passed on
    }

    [Fact]
    public void receipts_as_the_receiver_writes_them_match_their_schema()
    {
        foreach (var (name, receipt) in Receipts())
            ContractFiles.ShouldMatchSchema(ContractFiles.Serialize(receipt), "share-receipt", $"receipt '{name}'");
    }

    /// <summary>
    /// A many-in-one message's elements are each a whole message of their own kind: the receiver checks each against that
    /// message's schema, so the samples' elements must pass it, and one broken element must fail it.
    /// </summary>
    [Theory]
    [InlineData("seizures-shared", "records", "seizure-shared")]
    [InlineData("share-receipts", "receipts", "share-receipt")]
    public void every_element_of_a_many_in_one_message_matches_its_own_message_schema(string schema, string property, string element)
    {
        var samples = GoldenSamples.Stored().Where(s => s.Schema == schema).ToList();
        samples.ShouldNotBeEmpty();
        foreach (var (file, _, json) in samples)
        {
            var elements = JsonNode.Parse(json)![property]!.AsArray();
            elements.Count.ShouldBeGreaterThan(1, file);
            foreach (var e in elements) ContractFiles.ShouldMatchSchema(e!.ToJsonString(), element, $"{file}: an element of {property}");
            var broken = elements[0]!.DeepClone().AsObject();
            broken["recordedBy"] = "officer-PERSON-1";
            ContractFiles.Errors(ContractFiles.Schema(element), broken.ToJsonString()).ShouldNotBeEmpty();
            // The many-in-one schema itself leaves the elements to theirs: the broken element does not fail the whole.
            var whole = JsonNode.Parse(json)!;
            whole[property]![0] = broken;
            ContractFiles.Errors(ContractFiles.Schema(schema), whole.ToJsonString()).ShouldBeEmpty();
        }
    }

    [Fact]
    public void the_schema_files_are_valid_json_schema_2020_12_with_a_urn_id_and_closed_objects()
    {
        foreach (var schema in ContractFiles.SchemaOf.Values)
        {
            var text = File.ReadAllText(ContractFiles.SchemaPath(schema));
            using var document = JsonDocument.Parse(text);
            var result = MetaSchemas.Draft202012.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            result.IsValid.ShouldBeTrue($"{schema}.schema.json is not a valid 2020-12 schema");

            var root = JsonNode.Parse(text)!.AsObject();
            root["$schema"]!.GetValue<string>().ShouldBe("https://json-schema.org/draft/2020-12/schema");
            root["$id"]!.GetValue<string>().ShouldBe($"urn:seizureintel:sharing:{ContractFiles.Version}:{schema}");
            root["title"].ShouldNotBeNull();
            root["description"]!.GetValue<string>().ShouldContain("custodian");
            root["properties"]!["schemaVersion"]!["const"]!.GetValue<int>().ShouldBe(SeizureShared.CurrentSchemaVersion);
            foreach (var (path, obj) in Objects(root, "#"))
                obj["additionalProperties"].ShouldNotBeNull($"{schema} {path} must have additionalProperties: false")
                    .GetValue<bool>().ShouldBe(false, $"{schema} {path} must have additionalProperties: false");
        }
    }

    /// <summary>Every subschema that describes an object with properties.</summary>
    private static IEnumerable<(string Path, JsonObject Schema)> Objects(JsonObject schema, string path)
    {
        if (schema["properties"] is JsonObject properties)
        {
            yield return (path, schema);
            foreach (var (name, child) in properties)
                if (child is JsonObject o)
                    foreach (var x in Objects(o, $"{path}/properties/{name}")) yield return x;
        }
        if (schema["items"] is JsonObject items)
            foreach (var x in Objects(items, $"{path}/items")) yield return x;
    }

    /// <summary>The validator really refuses what the contract forbids, so the tests above can fail.</summary>
    [Theory]
    [InlineData("an unknown top-level field, a person", "recordedBy", "\"officer-PERSON-1\"", "")]
    [InlineData("an unknown field in the seizure", "analyst", "\"analyst-PERSON-3\"", "seizure")]
    [InlineData("an unknown field in the lab result", "analyst", "\"analyst-PERSON-3\"", "seizure.lab")]
    [InlineData("a handling code outside H0-H3", "handlingCode", "\"H4\"", "")]
    [InlineData("another schema version", "schemaVersion", "2", "")]
    [InlineData("a status outside the three", "status", "\"seized\"", "seizure")]
    [InlineData("a non-uuid origin id", "originId", "\"SSEP-1\"", "")]
    [InlineData("an instant without its offset", "sharedAt", "\"2016-01-10 08:00\"", "")]
    [InlineData("a local date with a time", "localDate", "\"2015-03-14T00:00:00Z\"", "seizure")]
    [InlineData("null where the C# type is not nullable", "substance", "null", "seizure")]
    [InlineData("neither facility nor location", "facilityId", "null", "seizure")]
    public void a_message_that_breaks_the_contract_fails_validation(string what, string property, string value, string within)
    {
        var valid = AllOutgoing().Select(p => p.Message).OfType<SeizureShared>()
            .First(m => m.Seizure.Lab is not null && m.Seizure.Location is null);
        var json = JsonNode.Parse(ContractFiles.Serialize(valid))!;
        ContractFiles.Errors(ContractFiles.Schema("seizure-shared"), json.ToJsonString()).ShouldBeEmpty();

        var target = within.Split('.', StringSplitOptions.RemoveEmptyEntries).Aggregate(json, (node, name) => node[name]!).AsObject();
        target[property] = JsonNode.Parse(value);
        ContractFiles.Errors(ContractFiles.Schema("seizure-shared"), json.ToJsonString()).ShouldNotBeEmpty(what);
    }
}
