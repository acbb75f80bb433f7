using SeizureIntel.Tests.Support;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Json;
using SeizureIntel.Contracts;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Sharing;
using static SeizureIntel.Tests.Sharing.Contracts.SharingExamples;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>
/// The golden sample messages of the published version: samples/v1/{schema}.{case}.json, written once from the code by
/// <see cref="GoldenSampleWriter"/> and never rewritten. They are what partners have been sent; every later version
/// of the schemas and of the C# contracts must still read them.
/// </summary>
public static class GoldenSamples
{
    /// <summary>The messages the samples were made from: one per shape worth keeping.</summary>
    public static IReadOnlyList<(string File, object Message)> FromCode()
    {
        var all = AllOutgoing();
        object Pick(string @case, string partner, bool sentBefore = false, int policies = 0) => all.First(p =>
            p.Case == @case && p.Partner == partner && p.SentBefore == sentBefore && p.Policies == PolicySets[policies].Name).Message;

        // A partner's record that went on to MVD under H1, then came again under H2: MVD must take it out.
        var passedOn = Received(18, "H1");
        passedOn.With(new PartnerSeizureReceived(passedOn.Id, "SSDC", passedOn.Reference, 4, "H2", Distribution.Everyone, "MOU-SSEP-SSDC", Shared(), Now));
        var noLongerShareable = SeizureSharing.Decide(passedOn, NodeAgency, Options(Policy("MVD", PartnerPolicy.All, false)),
            SentToAll(passedOn, Options(Policy("MVD", PartnerPolicy.All, false))), Now).Single().Message;

        return
        [
            ("seizure-shared.at-facility-with-notes", Pick("at-facility-with-notes", "SSDC")),
            ("seizure-shared.at-facility-notes-withheld", Pick("at-facility-with-notes", "MVD")),
            ("seizure-shared.named-partners-tablets", Pick("at-facility-named-partners-tablets", "SSDC")),
            ("seizure-shared.own-location-no-facility", Pick("own-location-no-facility", "SSDC")),
            ("seizure-shared.own-location-cross-border", Pick("own-location-cross-border", "MVD", policies: 1)),
            ("seizure-shared.lab-result", Pick("corrected-handed-over-lab-result", "SSDC")),
            ("seizure-shared.lab-result-without-purity", Pick("lab-result-without-purity-destroyed", "SSDC")),
            ("seizure-shared.duplicate", Pick("duplicate", "SSDC")),
            ("seizure-shared.demo", Pick("demo", "MVD")),
            ("seizure-shared.partner-record-passed-on", Pick("received-h0-with-lab-duplicate", "MVD", policies: 1)),
            ("seizure-withdrawn.voided", Pick("voided", "SSDC", sentBefore: true)),
            ("seizure-withdrawn.no-longer-shareable", noLongerShareable),
            .. Receipts().Select(r => ($"share-receipt.{r.Name}", (object)r.Receipt)),
            ("joint-operation-shared.launched-with-outcomes", OperationContractTests.Example()),
            ("joint-operation-shared.last-update-after-leaving", OperationContractTests.LastUpdateAfterLeaving()),
            ("seizures-shared.page-of-records", new SeizuresShared(SeizureShared.CurrentSchemaVersion,
                [(SeizureShared)Pick("at-facility-with-notes", "SSDC"), (SeizureShared)Pick("own-location-no-facility", "SSDC"),
                 (SeizureShared)Pick("corrected-handed-over-lab-result", "SSDC")], ContractVersion.Minor)),
            ("share-receipts.applied-and-already-applied", new ShareReceipts(SeizureShared.CurrentSchemaVersion,
                [.. Receipts().Select(r => r.Receipt with { SchemaMinor = ContractVersion.Minor })], ContractVersion.Minor)),
        ];
    }

    /// <summary>The checked-in samples: file name, schema name, JSON.</summary>
    public static IReadOnlyList<(string File, string Schema, string Json)> Stored() =>
        Directory.GetFiles(ContractFiles.SamplesDirectory, "*.json")
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal)
            .Select(name => (name, name.Split('.')[0], File.ReadAllText(Path.Combine(ContractFiles.SamplesDirectory, name + ".json"))))
            .ToList();
}

/// <summary>Runs only with SEIZUREINTEL_WRITE_CONTRACT_SAMPLES=1: it writes the missing samples and never overwrites one.</summary>
public sealed class WriteSamplesFactAttribute : FactAttribute
{
    public const string Variable = "SEIZUREINTEL_WRITE_CONTRACT_SAMPLES";

    public WriteSamplesFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"writes golden samples; run with {Variable}=1 when a new sample is added (existing ones are never rewritten)";
    }
}

public sealed class GoldenSampleWriter
{
    // Indented, and without escaping '+' or '\'' as the wire form does: the same JSON values, easier to read in a review.
    private static readonly JsonSerializerOptions Readable = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [WriteSamplesFact]
    public void write_missing_golden_samples()
    {
        Directory.CreateDirectory(ContractFiles.SamplesDirectory);
        foreach (var (file, message) in GoldenSamples.FromCode())
        {
            var path = Path.Combine(ContractFiles.SamplesDirectory, file + ".json");
            if (File.Exists(path)) continue;
            var json = JsonNode.Parse(ContractFiles.Serialize(message))!.ToJsonString(Readable);
            ContractFiles.ShouldMatchSchema(json, file.Split('.')[0], file);
            File.WriteAllText(path, json + "\n");
        }
    }
}
