using System.Text.Json.Nodes;
using System.Text.Json;
using SeizureIntel.Contracts;
using static SeizureIntel.Tests.Sharing.Contracts.SharingExamples;

namespace SeizureIntel.Tests.Sharing.Contracts;

/// <summary>What never leaves a node: persons in any field, and notes unless the partner's policy allows them.</summary>
public sealed class ForbiddenFieldsTests
{
    /// <summary>Property names that would carry a person (or a person's free text) if they ever appeared.</summary>
    private static readonly HashSet<string> PersonFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "recordedBy", "user", "by", "actor", "officer", "custodian", "currentCustodian", "custody", "from", "to",
        "witness", "witnesses", "analyst", "person", "persons", "name", "voidReason", "sealNumber", "labCaseNumber",
    };

    [Fact]
    public void the_seizure_states_do_hold_the_persons_so_a_leak_would_show()
    {
        // The states the messages are made from carry the recording officer, custodians and the analyst.
        var states = string.Join("\n", States().Select(s => JsonSerializer.Serialize(s.Seizure, ContractFiles.NodeJson)));
        foreach (var person in new[] { Officer, Keeper, Analyst }) states.ShouldContain(person);
    }

    [Fact]
    public void no_outgoing_message_carries_a_person_in_any_property_name_or_value()
    {
        var produced = AllOutgoing();
        produced.Count.ShouldBeGreaterThan(30);
        var leaks = new List<string>();
        foreach (var p in produced)
        {
            var json = ContractFiles.Serialize(p.Message);
            foreach (var person in People.Append(PersonMark))
                if (json.Contains(person, StringComparison.OrdinalIgnoreCase))
                    leaks.Add($"{p.Message.GetType().Name} to {p.Partner} from '{p.Case}' contains '{person}': {json}");
            foreach (var (path, name) in PropertyNames(JsonNode.Parse(json)!, "$"))
                if (PersonFields.Contains(name))
                    leaks.Add($"{p.Message.GetType().Name} to {p.Partner} from '{p.Case}' has a person field {path}: {json}");
        }
        foreach (var (name, receipt) in Receipts())
            foreach (var (path, property) in PropertyNames(JsonNode.Parse(ContractFiles.Serialize(receipt))!, "$"))
                if (PersonFields.Contains(property)) leaks.Add($"receipt '{name}' has a person field {path}");
        leaks.ShouldBeEmpty();
    }

    [Fact]
    public void notes_go_only_to_partners_whose_policy_allows_them()
    {
        var shared = AllOutgoing().Where(p => p.Message is SeizureShared).ToList();
        var states = States().ToDictionary(s => s.Name, s => s.Seizure);
        var withNotes = 0;
        foreach (var p in shared)
        {
            var message = (SeizureShared)p.Message;
            var json = ContractFiles.Serialize(message);
            if (p.Policy.AllowNotes)
            {
                message.Seizure.Notes.ShouldBe(states[p.Case].Notes, $"notes to {p.Partner} (allowed) from '{p.Case}'");
                if (message.Seizure.Notes is not null) withNotes++;
            }
            else
            {
                message.Seizure.Notes.ShouldBeNull($"notes to {p.Partner} (not allowed) from '{p.Case}'");
                json.ShouldNotContain("NOTES-MARK", Case.Sensitive, $"{p.Partner} from '{p.Case}'");
            }
        }
        withNotes.ShouldBeGreaterThan(0); // a policy that allows notes did send some
        shared.ShouldContain(p => !p.Policy.AllowNotes && states[p.Case].Notes != null); // and one that does not withheld them
    }

    private static IEnumerable<(string Path, string Name)> PropertyNames(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o)
                {
                    yield return ($"{path}.{name}", name);
                    if (child is not null)
                        foreach (var x in PropertyNames(child, $"{path}.{name}")) yield return x;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } item)
                        foreach (var x in PropertyNames(item, $"{path}[{i}]")) yield return x;
                break;
        }
    }
}
