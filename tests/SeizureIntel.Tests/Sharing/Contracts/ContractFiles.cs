using System.Text.Json.Nodes;
using System.Text.Json;
using Json.Schema;
using SeizureIntel.Contracts;
using SeizureIntel.Node;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>
/// The published contracts (schemas/sharing/v1), the golden samples and frozen copies beside these tests, and the JSON
/// the node writes: System.Text.Json with <see cref="NodeSetup.ConfigureJson"/>, as Wolverine does.
/// </summary>
public static class ContractFiles
{
    public const string Version = "v1";

    /// <summary>Schema file name (without .schema.json) for each message type, and back.</summary>
    public static readonly IReadOnlyDictionary<Type, string> SchemaOf = new Dictionary<Type, string>
    {
        [typeof(SeizureShared)] = "seizure-shared",
        [typeof(SeizureWithdrawn)] = "seizure-withdrawn",
        [typeof(ShareReceipt)] = "share-receipt",
        [typeof(JointOperationShared)] = "joint-operation-shared",
        [typeof(SeizuresShared)] = "seizures-shared",
        [typeof(ShareReceipts)] = "share-receipts",
    };

    public static Type MessageTypeOf(string schema) => SchemaOf.Single(p => p.Value == schema).Key;

    public static JsonSerializerOptions NodeJson { get; } = CreateNodeJson();

    private static JsonSerializerOptions CreateNodeJson()
    {
        var options = new JsonSerializerOptions();
        NodeSetup.ConfigureJson(options);
        return options;
    }

    public static string Serialize(object message) => JsonSerializer.Serialize(message, message.GetType(), NodeJson);

    /// <summary>The repository's root: the folder that holds schemas/sharing, found upwards from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "schemas", "sharing")) && File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No schemas/sharing above {AppContext.BaseDirectory}");
    }

    public static string SchemaDirectory => Path.Combine(RepositoryRoot, "schemas", "sharing", Version);
    public static string SamplesDirectory => Path.Combine(RepositoryRoot, "tests", "SeizureIntel.Tests", "Sharing", "Contracts", "samples", Version);
    public static string FrozenDirectory => Path.Combine(SamplesDirectory, "frozen");

    public static string SchemaPath(string schema) => Path.Combine(SchemaDirectory, $"{schema}.schema.json");
    public static string FrozenPath(string schema) => Path.Combine(FrozenDirectory, $"{schema}.schema.json");

    public static JsonNode ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))
        ?? throw new InvalidOperationException($"{path} is JSON null");

    private static readonly Dictionary<string, JsonSchema> Built = [];

    /// <summary>The current schema file, built once per test run in a registry of its own.</summary>
    public static JsonSchema Schema(string schema)
    {
        lock (Built)
        {
            if (!Built.TryGetValue(schema, out var built))
                Built[schema] = built = Build(File.ReadAllText(SchemaPath(schema)));
            return built;
        }
    }

    public static JsonSchema Build(string text) =>
        JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static readonly EvaluationOptions Strict = new()
    {
        OutputFormat = OutputFormat.Hierarchical,
        // Formats (uuid, date-time, date) are assertions here, not just annotations.
        RequireFormatValidation = true,
    };

    /// <summary>Every error the schema finds in the JSON, as "instance location [keyword]: message"; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, Strict);
        if (result.IsValid) return [];
        var errors = new List<string>();
        Collect(result, errors);
        return errors.Count > 0 ? errors : ["invalid (no detail reported)"];
    }

    private static readonly System.Text.RegularExpressions.Regex Alternative = new(@"/anyOf/\d+$");

    private static void Collect(EvaluationResults result, List<string> errors)
    {
        if (result.IsValid) return;
        if (result.Errors is { } own)
            foreach (var (keyword, message) in own)
            {
                var at = result.InstanceLocation.ToString() is { Length: > 0 } location ? location : "/";
                errors.Add(keyword.Length == 0 && result.EvaluationPath.ToString().EndsWith("/additionalProperties")
                    ? $"{at} [additionalProperties]: not a field of the contract"
                    : $"{at} [{keyword}]: {message}");
            }
        if (result.Details is not { } details) return;
        // The failing branches of an anyOf that another branch satisfies are no error.
        var satisfied = details.Any(d => d.IsValid && Alternative.IsMatch(d.EvaluationPath.ToString()));
        foreach (var detail in details)
            if (!(satisfied && Alternative.IsMatch(detail.EvaluationPath.ToString()))) Collect(detail, errors);
    }

    /// <summary>Fails with every validation error listed, and the message, when the JSON does not match its schema.</summary>
    public static void ShouldMatchSchema(string json, string schema, string because)
    {
        var errors = Errors(Schema(schema), json);
        if (errors.Count > 0)
            throw new Xunit.Sdk.XunitException(
                $"{because}: does not match {schema}.schema.json ({Version}):\n  {string.Join("\n  ", errors)}\nmessage: {json}");
    }
}
