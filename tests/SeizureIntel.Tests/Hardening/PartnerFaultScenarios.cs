using System.Text.Json;
using System.Text.Json.Nodes;
using Alba;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Contracts;
using SeizureIntel.Node;
using SeizureIntel.Sharing;
using SeizureIntel.Tests.Sharing;
using Wolverine;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, points 5 and 6, between two real nodes over PostgreSQL queues: the same records delivered again and again
/// change no figure; random and boundary partner messages are all refused — dead-lettered with their reason, the sender
/// told — and never half applied, and the receiver goes on applying valid ones. Sizes: <see cref="FaultSizes"/>.
/// </summary>
[Collection(PostgresqlSharingCollection.Name)]
public sealed class PartnerFaultScenarios(TwoNodesOnPostgresql nodes) : IAsyncLifetime
{
    private IAlbaHost Ssep => nodes.Ssep;
    private IAlbaHost Ssdc => nodes.Ssdc;
    private string SsdcSchema => nodes.SchemaOf("SSDC");

    public Task InitializeAsync() => nodes.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Seizure(int i) => new
    {
        facilityId = i % 2 == 0 ? "SIZO-1" : "IK-47", occurredAt = $"2015-0{1 + i % 9}-1{i % 10}T10:00:00+06:00",
        substance = i % 3 == 0 ? "heroin" : "cannabis-herb", quantity = new { value = 1 + i % 7, unit = "g" }, detection = "cell-search",
    };

    private async Task<string> SsdcFiguresAsync() =>
        (await Ssdc.GetJsonAsync("/api/years/2015/summary")).ToString() + (await Ssdc.GetJsonAsync("/api/years/2015/summary?agency=SSEP"));

    /// <summary>Nothing in flight: SSEP's outbox and SSDC's inbox empty, the queue tables empty.</summary>
    private async Task DrainedAsync(int seconds)
    {
        var queues = new List<string>();
        await using (var connection = new NpgsqlConnection(Support.TestDatabase.ConnectionString))
        {
            await connection.OpenAsync();
            await using var list = new NpgsqlCommand($"select table_name from information_schema.tables where table_schema = '{nodes.Base}_queues'", connection);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) queues.Add($"{nodes.Base}_queues.{reader.GetString(0)}");
        }
        var inFlight = $"select (select count(*) from {nodes.SchemaOf("SSEP")}.wolverine_outgoing_envelopes) + " +
                       $"(select count(*) from {SsdcSchema}.wolverine_incoming_envelopes where status = 'Incoming')" +
                       string.Concat(queues.Select(q => $" + (select count(*) from {q})"));
        await EventuallyAsync(async () => await CountAsync(inFlight) == 0, "every message delivered and handled", seconds);
    }

    private async Task SendRawAsync(string json, Type type)
    {
        using var scope = Ssep.Services.CreateScope();
        var destination = Ssep.Services.GetRequiredService<Wolverine.Runtime.IWolverineRuntime>().Options.Transports.AllEndpoints()
            .Single(e => e.EndpointName == SharingOptions.EndpointOf("SSDC")).Uri;
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().EndpointFor(SharingOptions.EndpointOf("SSDC"))
            .SendRawMessageAsync(System.Text.Encoding.UTF8.GetBytes(json), type, e =>
            {
                e.MessageType = $"SeizureIntel.Sharing.Contracts.{type.Name}";
                e.ContentType = "application/json";
                e.Destination = destination;
            });
    }

    [Fact]
    public async Task the_same_records_delivered_again_thousands_of_times_change_no_figure()
    {
        const int records = 10;
        var total = FaultSizes.DuplicateDeliveries;
        for (var i = 0; i < records; i++) await Ssep.RecordAsync(Seizure(i));
        var grams = Enumerable.Range(0, records).Sum(i => 1m + i % 7);
        await EventuallyAsync(async () => await Ssdc.YearGramsAsync(2015, "SSEP") == grams, "SSDC counts SSEP's records", 60);
        await DrainedAsync(60);
        var figures = await SsdcFiguresAsync();
        var events = await CountAsync($"select count(*) from {SsdcSchema}.mt_events");

        // What SSEP's sharing sent, delivered again: each record's message at its version, round robin.
        var options = new JsonSerializerOptions();
        NodeSetup.ConfigureJson(options);
        var sent = new List<string>();
        await using (var session = Ssep.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession())
            foreach (var seizure in await session.Query<SeizureIntel.Seizures.Seizure>().ToListAsync())
                sent.Add(JsonSerializer.Serialize(SeizureIntel.Sharing.Publishing.SeizureSharing.Snapshot(seizure, "SSEP",
                    Ssep.Services.GetRequiredService<SharingOptions>().Partners.Single(), DateTimeOffset.UtcNow), options));
        sent.Count.ShouldBe(records);
        var started = DateTime.UtcNow;
        for (var i = 0; i < total; i++) await SendRawAsync(sent[i % records], typeof(SeizureShared));
        await DrainedAsync(600);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;

        (await CountAsync($"select count(*) from {SsdcSchema}.mt_events")).ShouldBe(events, "no delivery applied twice");
        (await SsdcFiguresAsync()).ShouldBe(figures);
        (await CountAsync($"select count(*) from {SsdcSchema}.wolverine_dead_letters")).ShouldBe(0);
        Console.WriteLine($"[figures] duplicate deliveries: {total} of {records} records in {seconds:F0} s; events before {events}, after {events}; " +
                          $"figures changed: 0; lost: 0, double-counted: 0");
    }

    /// <summary>One way to break a valid message (as JSON): every one of them must be refused.</summary>
    private static readonly (string Why, Action<JsonObject, Random> Break)[] Breaks =
    [
        ("unknown substance", (m, _) => m["seizure"]!["substance"] = "moon-dust"),
        ("zero quantity", (m, _) => m["seizure"]!["quantity"]!["value"] = 0),
        ("negative quantity", (m, r) => m["seizure"]!["quantity"]!["value"] = -r.Next(1, 1000)),
        ("quantity far above the bound", (m, _) => m["seizure"]!["quantity"]!["value"] = 79228162514264337593543950335m),
        ("seven decimals", (m, _) => m["seizure"]!["quantity"]!["value"] = 1.1234567m),
        ("unknown unit", (m, _) => m["seizure"]!["quantity"]!["unit"] = "bushel"),
        ("year 0001", (m, _) => m["seizure"]!["occurredAt"] = "0001-01-01T00:00:00+00:00"),
        ("in the future", (m, _) => m["seizure"]!["occurredAt"] = "2999-01-01T00:00:00+06:00"),
        ("handling code H9", (m, _) => m["handlingCode"] = "H9"),
        ("unknown distribution", (m, _) => m["distribution"]!["scope"] = "everyone-ever"),
        ("distribution without SSDC", (m, _) => m["distribution"] = new JsonObject { ["scope"] = "named-partners", ["partners"] = new JsonArray("MVD") }),
        ("no policy", (m, _) => m["policyId"] = ""),
        ("version 0", (m, _) => m["originVersion"] = 0),
        ("negative version", (m, r) => m["originVersion"] = -r.Next(1, 100)),
        ("unknown origin", (m, _) => m["originAgency"] = "XYZ"),
        ("the receiver as origin", (m, _) => m["originAgency"] = "SSDC"),
        ("empty id", (m, _) => m["originId"] = Guid.Empty.ToString()),
        ("no seizure", (m, _) => m["seizure"] = null),
        ("notes too long", (m, _) => m["seizure"]!["notes"] = new string('x', 5000)),
        ("latitude 200", (m, _) => m["seizure"]!["location"] = new JsonObject { ["lat"] = 200, ["lon"] = 74.6, ["oblast"] = null, ["crossBorder"] = false }),
        ("schema version 2", (m, _) => m["schemaVersion"] = 2),
        ("unknown time zone", (m, _) => m["seizure"]!["timeZone"] = "Mars/Olympus"),
        ("unknown facility", (m, _) => m["seizure"]!["facilityId"] = "NOPE-9"),
        ("unknown status", (m, _) => m["seizure"]!["status"] = "whatever"),
        ("negative lab weight", (m, _) => m["seizure"]!["lab"] = new JsonObject
        {
            ["lab"] = "GKNB", ["confirmedSubstance"] = "heroin", ["netWeightGrams"] = -1, ["purityPercent"] = null, ["reportDate"] = "2015-07-01",
        }),
        ("relayed by a third agency", (m, _) => m["relayedBy"] = "MVD"),
        ("a required field missing", (m, r) => m.Remove(new[] { "originReference", "policyId", "handlingCode", "distribution" }[r.Next(4)])),
        ("a field outside the schema", (m, _) => m["surprise"] = 1),
        ("a string where a number goes", (m, _) => m["originVersion"] = "abc"),
        ("null inside the seizure", (m, r) => m["seizure"]![new[] { "substance", "quantity", "detection", "circumstances", "timeZone" }[r.Next(5)]] = null),
    ];

    [Fact]
    public async Task random_and_boundary_partner_messages_are_refused_with_their_reason_and_never_half_applied()
    {
        var total = FaultSizes.FuzzMessages;
        var seed = FaultSizes.Seed;
        var random = new Random(seed);
        var options = new JsonSerializerOptions();
        NodeSetup.ConfigureJson(options);
        var tried = new Dictionary<string, int>();
        for (var i = 0; i < total; i++)
        {
            var id = Guid.CreateVersion7();
            var valid = new SeizureShared(1, "SSEP", id, $"SSEP-2015-{900000 + i}", 1 + random.Next(5), "H2", Distribution.Everyone, "MOU-SSEP-SSDC",
                DateTimeOffset.UtcNow, new SharedSeizure("SIZO-1", null, "KG-C", DateTimeOffset.Parse("2015-06-01T04:00:00Z"), new DateOnly(2015, 6, 1),
                    "Asia/Bishkek", "heroin", new SharedQuantity(random.Next(1, 500), "g"), "cell-search", new SharedCircumstances(null, null, null, null),
                    null, null, "counted", null, false), ContractVersion.Minor);
            var kind = random.Next(20);
            if (kind == 0)
            {
                await SendRawAsync("{\"originAgency\": \"SSEP\", " + new string('[', random.Next(1, 50)), typeof(SeizureShared)); // not JSON at all
                tried["not JSON"] = tried.GetValueOrDefault("not JSON") + 1;
            }
            else if (kind <= 2)
            {
                // A withdrawal, broken the same way as far as it has the fields.
                var withdrawn = JsonSerializer.SerializeToNode(new SeizureWithdrawn(1, "SSEP", id, 1, "narrowed", "MOU-SSEP-SSDC", DateTimeOffset.UtcNow,
                    ContractVersion.Minor), options)!.AsObject();
                var (why, apply) = new[] { Breaks[12], Breaks[13], Breaks[14], Breaks[15], Breaks[16], Breaks[20], Breaks[25], Breaks[27] }[random.Next(8)];
                apply(withdrawn, random);
                tried["withdrawal: " + why] = tried.GetValueOrDefault("withdrawal: " + why) + 1;
                await SendRawAsync(withdrawn.ToJsonString(), typeof(SeizureWithdrawn));
            }
            else
            {
                var json = JsonSerializer.SerializeToNode(valid, options)!.AsObject();
                // One to three breaks at once: a boundary alone, or several faults in one message.
                var breaks = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Breaks[random.Next(Breaks.Length)]).DistinctBy(b => b.Why).ToList();
                foreach (var (why, apply) in breaks)
                {
                    try
                    {
                        apply(json, random);
                        tried[why] = tried.GetValueOrDefault(why) + 1;
                    }
                    catch (NullReferenceException) { } // an earlier break removed what this one would change
                }
                await SendRawAsync(json.ToJsonString(), typeof(SeizureShared));
            }
        }
        await DrainedAsync(600);

        // Never half applied: not one event, document or figure at SSDC from any of them.
        (await CountAsync($"select count(*) from {SsdcSchema}.mt_events")).ShouldBe(0);
        (await CountAsync($"select count(*) from {SsdcSchema}.mt_doc_seizure")).ShouldBe(0);
        // Each refused with its reason: dead-lettered, by contract, schema or bounds — never a crash of the handler.
        var deadLetters = await CountAsync($"select count(*) from {SsdcSchema}.wolverine_dead_letters");
        var crashes = await CountAsync($"select count(*) from {SsdcSchema}.wolverine_dead_letters where exception_type not like '%InvalidSharedMessage%' " +
                                       "and exception_type not like '%Json%' and exception_type not like '%Serializ%'");
        crashes.ShouldBe(0, "a message that crashed the handler instead of being refused by the checks");
        deadLetters.ShouldBe(total);
        // The sender is told about every message it could be told about (the ones readable enough to name a record).
        var receipts = await CountAsync($"select count(*) from {SsdcSchema}.wolverine_dead_letters where exception_type like '%InvalidSharedMessage%'");
        // (/api/sharing/status counts them too, but from Wolverine's first page of dead letters: at most 100 — see the report.)

        // And the receiver goes on: a valid record after all that is applied.
        var after = await Ssep.RecordAsync(Seizure(1));
        await EventuallyAsync(async () => await CountAsync($"select count(*) from {SsdcSchema}.mt_streams where id = '{after.Id}'") == 1,
            "a valid record after the fuzzing arrives", 60);
        Console.WriteLine($"[figures] partner-message fuzz (seed {seed}): {total} messages, {tried.Values.Sum()} faults " +
                          $"({string.Join(", ", tried.OrderByDescending(t => t.Value).Select(t => $"{t.Key}×{t.Value}"))}); refused {deadLetters} " +
                          $"({receipts} with a refusal receipt to the sender, the rest unreadable); handler crashes 0; events written 0; partial writes 0");
    }
}

/// <summary>
/// The fault and fuzz tests' sizes: CI runs them smaller, the issue's sizes (README "Reliability") by environment:
/// SEIZUREINTEL_FAULT_DUPLICATES (issue: 10,000), SEIZUREINTEL_FAULT_CONFLICTS (issue: 1,000), SEIZUREINTEL_FAULT_BACKLOG
/// (issue: 10,000), SEIZUREINTEL_FAULT_RECORDINGS (records streamed at a node that is killed), SEIZUREINTEL_FUZZ_MESSAGES,
/// SEIZUREINTEL_FUZZ_SEED.
/// </summary>
public static class FaultSizes
{
    private static int Of(string name, int ci) => int.TryParse(Environment.GetEnvironmentVariable(name), out var n) && n > 0 ? n : ci;

    public static int DuplicateDeliveries => Of("SEIZUREINTEL_FAULT_DUPLICATES", 500);
    public static int ConflictingChanges => Of("SEIZUREINTEL_FAULT_CONFLICTS", 1000);
    public static int PartnerBacklog => Of("SEIZUREINTEL_FAULT_BACKLOG", 1000);
    public static int Recordings => Of("SEIZUREINTEL_FAULT_RECORDINGS", 300);
    public static int FuzzMessages => Of("SEIZUREINTEL_FUZZ_MESSAGES", 300);
    public static int Seed => Of("SEIZUREINTEL_FUZZ_SEED", Environment.TickCount & 0xFFFFF);
}
