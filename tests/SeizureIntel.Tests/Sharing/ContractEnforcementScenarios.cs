using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Contracts;
using SeizureIntel.Sharing;
using SeizureIntel.Sharing.Publishing;
using SeizureIntel.Tests.Sharing.Contracts;
using Wolverine;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// A receiver enforces the whole contract before it applies anything: the channel's partner is the origin (or says it
/// relays), receipts come from the partner they name, the message matches its JSON Schema (a newer minor of our major is
/// read, another major refused) and the API's own bounds. A refused message is dead-lettered with its reason, counted in
/// /api/sharing/status, and the sender gets a refusal receipt, so its status shows "refused", never "pending" forever.
/// Messages are injected from SSEP's real node onto SSEP's real channel to SSDC.
/// </summary>
public abstract class ContractEnforcementScenarios(TwoNodes nodes) : IAsyncLifetime
{
    private IAlbaHost Ssep => nodes.Ssep;
    private IAlbaHost Ssdc => nodes.Ssdc;

    public Task InitializeAsync() => nodes.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static SeizureShared Message(Guid id, string origin = "SSEP", string? relayedBy = null, string handling = "H2",
        DateTimeOffset? occurredAt = null, decimal grams = 5m, string? notes = null) =>
        new(1, origin, id, $"{origin}-2015-000777", 1, handling, Distribution.Everyone, "MOU-SSEP-SSDC", DateTimeOffset.UtcNow,
            new SharedSeizure("SIZO-1", null, null, occurredAt ?? DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1),
                "Asia/Bishkek", "heroin", new SharedQuantity(grams, "g"), "cell-search", new SharedCircumstances(null, null, null, null), notes,
                null, "counted", null, false), ContractVersion.Minor, relayedBy);

    private async Task SendAsync(object message)
    {
        using var scope = Ssep.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().EndpointFor(SharingOptions.EndpointOf("SSDC")).SendAsync(message);
    }

    /// <summary>The JSON exactly as given, as SSEP's wire message to SSDC (what another implementation might send).</summary>
    private async Task SendRawAsync(JsonNode json, Type type)
    {
        using var scope = Ssep.Services.CreateScope();
        var destination = Ssep.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Options.Transports.AllEndpoints()
            .Single(e => e.EndpointName == SharingOptions.EndpointOf("SSDC")).Uri;
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().EndpointFor(SharingOptions.EndpointOf("SSDC"))
            .SendRawMessageAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), type, e =>
            {
                e.MessageType = $"SeizureIntel.Sharing.Contracts.{type.Name}"; // the pinned wire name ([MessageIdentity])
                e.ContentType = "application/json";
                e.Destination = destination;
            });
    }

    /// <summary>SSEP's ledger says it sent version 1 of the record to SSDC (as its sharing subscription does), so a receipt has something to move.</summary>
    private async Task LedgerSaysSentAsync(Guid id)
    {
        await using var session = Ssep.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Store(new ShareLedgerEntry
        {
            Id = ShareLedgerEntry.IdFor("SSDC", id), Partner = "SSDC", RecordId = id, OriginAgency = "SSEP", SentVersion = 1,
            SentAt = DateTimeOffset.UtcNow,
        });
        await session.SaveChangesAsync();
    }

    private async Task RefusedAsync(Guid id, string reason)
    {
        var deadLetters = $"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters where exception_message like '%{reason.Replace("'", "''")}%'";
        await EventuallyAsync(async () => await CountAsync(deadLetters) == 1, $"SSDC dead-lettered the message: {reason}");
        (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{id}'")).ShouldBe(0, "nothing of it applied");
        var status = await Ssdc.GetJsonAsync("/api/sharing/status");
        status.GetProperty("partners").EnumerateArray().Single().GetProperty("refusedFromPartner").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        status.GetProperty("deadLetters").EnumerateArray().ShouldContain(d =>
            d.GetProperty("exceptionMessage").GetString()!.Contains(reason, StringComparison.Ordinal) && d.GetProperty("partner").GetString() == "SSEP");
    }

    private async Task SenderSeesRefusedAsync(Guid id, string reason)
    {
        await EventuallyAsync(async () =>
        {
            var status = await Ssep.GetJsonAsync("/api/sharing/status");
            var ssdc = status.GetProperty("partners").EnumerateArray().Single();
            return ssdc.GetProperty("refused").GetInt32() == 1 && ssdc.GetProperty("pending").GetInt32() == 0
                && status.GetProperty("refusals").EnumerateArray().Any(r =>
                    r.GetProperty("recordId").GetGuid() == id && r.GetProperty("reason").GetString()!.Contains(reason, StringComparison.Ordinal));
        }, "SSEP's status shows the record refused by SSDC with the reason, not pending");
    }

    [Fact]
    public async Task a_forged_origin_agency_is_refused_and_the_sender_is_told()
    {
        var id = Guid.CreateVersion7();
        await LedgerSaysSentAsync(id);
        await SendAsync(Message(id, origin: "MVD"));
        await RefusedAsync(id, "originAgency MVD came on SSEP's channel without relayedBy");
        await SenderSeesRefusedAsync(id, "originAgency MVD came on SSEP's channel");
    }

    [Fact]
    public async Task a_relay_must_be_by_the_channels_partner_and_of_a_record_that_may_be_passed_on()
    {
        var wrongChannel = Guid.CreateVersion7();
        await SendAsync(Message(wrongChannel, origin: "MVD", relayedBy: "SSDC", handling: "H1"));
        await RefusedAsync(wrongChannel, "relayedBy SSDC came on SSEP's channel");

        var h2 = Guid.CreateVersion7();
        await SendAsync(Message(h2, origin: "MVD", relayedBy: "SSEP", handling: "H2"));
        await RefusedAsync(h2, "relayed under H2");

        // An explicit relay of an H1 record by the channel's partner is applied, under its origin agency.
        var relayed = Guid.CreateVersion7();
        await SendAsync(Message(relayed, origin: "MVD", relayedBy: "SSEP", handling: "H1"));
        await EventuallyAsync(async () => await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{relayed}'") == 1,
            "SSDC applied the relayed record");
        (await Ssdc.GetJsonAsync($"/api/seizures/{relayed}")).GetProperty("agency").GetString().ShouldBe("MVD");
    }

    [Fact]
    public async Task a_bad_record_in_a_many_in_one_message_is_refused_on_its_own_and_the_rest_is_applied_and_acknowledged()
    {
        var ids = new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
        foreach (var id in ids) await LedgerSaysSentAsync(id);
        var records = new JsonArray(ids.Select(id => JsonNode.Parse(ContractFiles.Serialize(Message(id)))).ToArray());
        records[1]!["recordedBy"] = "officer-PERSON-1"; // a person: outside the contract
        await SendRawAsync(new JsonObject { ["schemaVersion"] = 1, ["records"] = records, ["schemaMinor"] = ContractVersion.Minor }, typeof(SeizuresShared));

        await RefusedAsync(ids[1], "/recordedBy is not a field of the contract");
        foreach (var id in new[] { ids[0], ids[2] })
            await EventuallyAsync(async () => await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{id}'") == 1,
                $"SSDC applied record {id} of the message");
        // The two applied records are acknowledged (pending 0, by one ShareReceipts), the bad one refused with its reason.
        await SenderSeesRefusedAsync(ids[1], "/recordedBy is not a field of the contract");
        await using var query = Ssep.Services.GetRequiredService<IDocumentStore>().QuerySession();
        foreach (var id in new[] { ids[0], ids[2] })
            (await query.LoadAsync<ShareLedgerEntry>(ShareLedgerEntry.IdFor("SSDC", id)))!.AckedVersion.ShouldBe(1);
    }

    [Fact]
    public async Task a_many_in_one_message_of_another_major_is_refused_as_a_whole()
    {
        var ids = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        var records = new JsonArray(ids.Select(id => JsonNode.Parse(ContractFiles.Serialize(Message(id)))).ToArray());
        await SendRawAsync(new JsonObject { ["schemaVersion"] = 2, ["records"] = records }, typeof(SeizuresShared));
        var deadLetters = $"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters where exception_message like '%SeizuresShared: schemaVersion 2 is not supported%'";
        await EventuallyAsync(async () => await CountAsync(deadLetters) == 1, "SSDC dead-lettered the whole message");
        foreach (var id in ids)
            (await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{id}'")).ShouldBe(0, "nothing of it applied");
    }

    [Fact]
    public async Task a_forged_receipt_is_dead_lettered_and_moves_nothing()
    {
        // SSDC's ledger: it sent its record to SSEP, unacknowledged. A receipt "from MVD" on SSEP's channel is forged.
        var id = Guid.CreateVersion7();
        await using (var session = Ssdc.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new ShareLedgerEntry { Id = ShareLedgerEntry.IdFor("MVD", id), Partner = "MVD", RecordId = id, OriginAgency = "SSDC", SentVersion = 1 });
            await session.SaveChangesAsync();
        }
        await SendAsync(new ShareReceipt(1, "MVD", "SSDC", id, 1, ShareReceipt.Applied, DateTimeOffset.UtcNow, ContractVersion.Minor));
        var deadLetters = $"select count(*) from {nodes.SchemaOf("SSDC")}.wolverine_dead_letters where exception_message like '%receiverAgency MVD came on SSEP''s channel%'";
        await EventuallyAsync(async () => await CountAsync(deadLetters) == 1, "SSDC dead-lettered the forged receipt");
        await using var query = Ssdc.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await query.LoadAsync<ShareLedgerEntry>(ShareLedgerEntry.IdFor("MVD", id)))!.AckedVersion.ShouldBe(0);
    }

    [Fact]
    public async Task a_message_outside_the_apis_bounds_is_refused_with_the_apis_reason()
    {
        var future = Guid.CreateVersion7();
        await LedgerSaysSentAsync(future);
        await SendAsync(Message(future, occurredAt: DateTimeOffset.UtcNow.AddDays(3)));
        await RefusedAsync(future, "seizure.occurredAt: is in the future");
        await SenderSeesRefusedAsync(future, "is in the future");

        var longNotes = Guid.CreateVersion7();
        await SendAsync(Message(longNotes, notes: new string('x', 4001)));
        await RefusedAsync(longNotes, "/seizure/notes [maxLength]");
    }

    [Fact]
    public async Task a_field_outside_the_schema_is_refused_unless_the_message_is_of_a_newer_minor_version()
    {
        // A person's name in a v1.1 message: not a field of the contract.
        var person = Guid.CreateVersion7();
        var json = JsonNode.Parse(ContractFiles.Serialize(Message(person)))!;
        json["seizure"]!["recordedBy"] = "Officer Asanov";
        await SendRawAsync(json, typeof(SeizureShared));
        await RefusedAsync(person, "/seizure/recordedBy is not a field of the contract");

        // The same extra field from a newer minor (1.7) of our major: read, the unknown field ignored.
        var newer = Guid.CreateVersion7();
        var newerJson = JsonNode.Parse(ContractFiles.Serialize(Message(newer)))!;
        newerJson["schemaMinor"] = 7;
        newerJson["seizure"]!["confidence"] = "high";
        await SendRawAsync(newerJson, typeof(SeizureShared));
        await EventuallyAsync(async () => await CountAsync($"select count(*) from {nodes.SchemaOf("SSDC")}.mt_events where stream_id = '{newer}'") == 1,
            "SSDC applied the 1.7 message");

        // Another major: refused with the reason, and the sender told.
        var major = Guid.CreateVersion7();
        await LedgerSaysSentAsync(major);
        var majorJson = JsonNode.Parse(ContractFiles.Serialize(Message(major)))!;
        majorJson["schemaVersion"] = 2;
        await SendRawAsync(majorJson, typeof(SeizureShared));
        await RefusedAsync(major, "schemaVersion 2 is not supported");
        await SenderSeesRefusedAsync(major, "schemaVersion 2 is not supported");
    }
}

[Collection(PostgresqlSharingCollection.Name)]
public sealed class ContractEnforcementOverPostgresqlQueues(TwoNodesOnPostgresql nodes) : ContractEnforcementScenarios(nodes);

[Collection(RabbitMqSharingCollection.Name)]
public sealed class ContractEnforcementOverRabbitMq(TwoNodesOnRabbitMq nodes) : ContractEnforcementScenarios(nodes);
