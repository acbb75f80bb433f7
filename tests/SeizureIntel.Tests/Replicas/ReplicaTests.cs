using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;
using SeizureIntel.Tests.Telemetry;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Replicas;

/// <summary>
/// Issue 16, point 5: two processes of one agency node (SSEP) on one store behind a round robin (<see cref="ReplicaFront"/>),
/// and a partner node (SSDC, its own process) sharing with it over PostgreSQL queues. Officers record and correct through
/// the round robin, the partner records and shares, and half-way the replica running the async daemon is killed with
/// SIGKILL. Afterwards: every recording, correction and shared record is in the stores exactly once, the year summaries
/// (SSEP's own, SSEP's copy of SSDC's, SSDC's copy of SSEP's) equal the test's own sums over what it sent, the surviving
/// replica took the daemon over within seconds (measured and printed), and each projection ran on one replica at a time.
/// </summary>
[Collection(ReplicaCollection.Name)]
public sealed class ReplicaTests
{
    private static string Base => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_rep";
    private static string SchemaOf(string agency) => $"{Base}_{agency.ToLowerInvariant()}";
    private static int Recordings => int.TryParse(Environment.GetEnvironmentVariable("SEIZUREINTEL_REPLICA_RECORDINGS"), out var n) && n > 0 ? n : 200;
    private static readonly string[] Shards = ["SeizureLedger:All", "Sharing:All"];
    private const string Marker = "replica-run item ";

    private static Dictionary<string, string> Settings(string agency, string partner) => new()
    {
        ["SeizureIntel__Agency"] = agency, ["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString,
        ["SeizureIntel__Schema"] = SchemaOf(agency), ["SeizureIntel__Sharing__Transport"] = "postgresql",
        ["SeizureIntel__Sharing__QueueSchema"] = $"{Base}_queues", ["SeizureIntel__Sharing__QueuePrefix"] = Base,
        ["SeizureIntel__Sharing__Partners__0__Agency"] = partner, ["SeizureIntel__Sharing__Partners__0__PolicyId"] = "MOU-SSEP-SSDC",
        ["SeizureIntel__Sharing__Partners__0__Records"] = "all", ["SeizureIntel__Telemetry__RefreshSeconds"] = "0.5",
        ["SeizureIntel__RateLimit__Burst"] = "0", ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>Seizure number <paramref name="i"/> as the test sends it; its notes carry the number, to find it in the store.</summary>
    private static object Seizure(int i) => new
    {
        facilityId = i % 2 == 0 ? "SIZO-1" : "IK-47",
        occurredAt = new DateTimeOffset(2015, 1, 1, 12, 0, 0, TimeSpan.FromHours(6)).AddMinutes(i * 97L % (364 * 24 * 60)).ToString("yyyy-MM-ddTHH:mm:sszzz"),
        substance = i % 3 == 0 ? "heroin" : "cannabis-herb", quantity = new { value = Grams(i), unit = "g" }, detection = "cell-search",
        notes = Marker + i,
    };

    private static decimal Grams(int i) => 1 + i % 7;

    /// <summary>Every third seizure is re-weighed once (If-Match its first version): its new weight.</summary>
    private static decimal Corrected(int i) => 20 + i % 5;

    private static async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    private static async Task<List<string>> TextsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var texts = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) texts.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        return texts;
    }

    /// <summary>Which shards each replica's daemon runs now, by its own scrape (seizureintel_daemon_running).</summary>
    private static async Task<Dictionary<string, double>> RunningAsync(HttpClient monitoring)
    {
        var samples = await Scrape.MetricsAsync(monitoring);
        return Shards.ToDictionary(s => s, s => samples.Value("seizureintel_daemon_running", ("projection", s)) ?? 0);
    }

    private static async Task<(int Count, decimal Grams)> SummaryAsync(HttpClient analyst, string agency)
    {
        var summary = await analyst.GetFromJsonAsync<JsonElement>($"/api/years/2015/summary?agency={agency}");
        return (summary.GetProperty("count").GetInt32(), summary.GetProperty("grams").GetDecimal());
    }

    [Fact]
    public async Task two_replicas_behind_a_round_robin_apply_everything_once_and_the_daemon_moves_when_its_replica_is_killed()
    {
        var (ssep, ssdc) = (SchemaOf("SSEP"), SchemaOf("SSDC"));
        await ScalarAsync($"drop schema if exists {ssep} cascade; drop schema if exists {ssdc} cascade; drop schema if exists {ssep}_identity cascade; " +
                          $"drop schema if exists {ssdc}_identity cascade; drop schema if exists {Base}_queues cascade; select 0");
        await using var a = new NodeProcess("SSEP-a", Settings("SSEP", "SSDC"));
        await using var b = new NodeProcess("SSEP-b", Settings("SSEP", "SSDC"));
        await using var partner = new NodeProcess("SSDC", Settings("SSDC", "SSEP"));
        var credentials = await a.SeedCredentialsAsync();
        var partnerCredentials = await partner.SeedCredentialsAsync();
        await Task.WhenAll(a.StartHealthyAsync(), partner.StartHealthyAsync());
        var replicas = new[] { a, b };
        var host = $"127.0.0.1:{NodeProcess.FreePort()}";
        var monitoring = new[] { await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Monitoring, pinned: 0), null! };
        // Replica a runs every shard before b starts (a's own scrape), so b comes up standing by.
        await a.WaitUntilAsync(async () => (await RunningAsync(monitoring[0])).Values.All(v => v == 1), 120, "replica a to run the daemon");
        await b.StartHealthyAsync();
        monitoring[1] = await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Monitoring, pinned: 1);

        using var officer = await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Officer);
        using var supervisor = await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Supervisor);
        using var partnerOfficer = await partner.ClientAsync(partnerCredentials, Roles.Officer);

        // Each projection shard runs on exactly one replica, a; b stands by.
        var before = await Task.WhenAll(monitoring.Select(RunningAsync));
        foreach (var shard in Shards) (before[0][shard] + before[1][shard]).ShouldBe(1, $"{shard} runs on one replica");
        var daemonAt = before[0]["SeizureLedger:All"] == 1 ? 0 : 1;
        var (dead, survivor) = (replicas[daemonAt], replicas[1 - daemonAt]);

        // Officers record through the round robin (4 at a time), re-weighing every third at once (its next request goes to the
        // other replica); the partner records and shares meanwhile. Half-way, the replica running the daemon is killed.
        var total = Recordings;
        var recorded = new ConcurrentDictionary<int, Guid>();
        var corrected = new ConcurrentDictionary<int, bool>();
        var partnerRecorded = new ConcurrentBag<int>();
        var faults = 0;
        var next = -1;
        async Task OfficerAsync()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                try
                {
                    using var answer = await officer.PostAsJsonAsync("/api/seizures", Seizure(i));
                    if (answer.StatusCode != HttpStatusCode.Created) { Interlocked.Increment(ref faults); continue; }
                    recorded[i] = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                    if (i % 3 != 0) continue;
                    using var correction = new HttpRequestMessage(HttpMethod.Post, $"/api/seizures/{recorded[i]}/corrections")
                    {
                        Content = JsonContent.Create(new { reason = $"re-weighed {Marker}{i}", quantity = new { value = Corrected(i), unit = "g" } }),
                    };
                    correction.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                    using var corrected200 = await supervisor.SendAsync(correction);
                    if (corrected200.StatusCode == HttpStatusCode.OK) corrected[i] = true;
                    else Interlocked.Increment(ref faults);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref faults); // cut off as the replica died: never acknowledged
                }
            }
        }
        async Task PartnerAsync(int from, int count)
        {
            for (var j = from; j < from + count; j++)
            {
                using var answer = await partnerOfficer.PostAsJsonAsync("/api/seizures", Seizure(10_000 + j));
                answer.StatusCode.ShouldBe(HttpStatusCode.Created, await answer.Content.ReadAsStringAsync());
                partnerRecorded.Add(10_000 + j);
            }
        }

        var clock = Stopwatch.StartNew();
        var officers = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(OfficerAsync)));
        var partnerFirst = PartnerAsync(0, total / 4);
        await EventuallyAsync(() => Task.FromResult(recorded.Count >= total / 2 || officers.IsCompleted), "half the recordings acknowledged", 600);
        // The daemon is busy now (lag on its shards), and requests are in flight on both replicas.
        var lagAtKill = await ScalarAsync($"select coalesce(max(seq_id), 0) from {ssep}.mt_events") -
                        await ScalarAsync($"select coalesce(min(last_seq_id), 0) from {ssep}.mt_event_progression where name <> 'HighWaterMark'");
        var killedAt = Stopwatch.StartNew();
        dead.Kill();
        var acknowledgedAtKill = recorded.Count;

        // The survivor's daemon takes every shard over: measured from the kill to its own scrape saying so.
        var survivorMonitoring = monitoring[1 - daemonAt];
        await EventuallyAsync(async () => (await RunningAsync(survivorMonitoring)).Values.All(v => v == 1), "the survivor runs every shard", 120);
        var daemonTakeover = killedAt.Elapsed;
        // Wolverine's leader (on the survivor) ejects the dead replica and hands its persisted messages to the living.
        await EventuallyAsync(async () => await ScalarAsync($"select count(*) from {ssep}.wolverine_nodes") == 1, "the dead replica ejected from wolverine_nodes", 180);
        var nodeEjected = killedAt.Elapsed;

        var partnerSecond = PartnerAsync(total / 4, total / 4);
        await officers;
        await partnerFirst;
        await partnerSecond;
        var streamTime = clock.Elapsed;

        // What the store committed (a request cut off by the kill may have committed without its answer).
        var committed = (await TextsAsync($"select data->>'notes' from {ssep}.mt_events where type = 'seizure_recorded'"))
            .Select(n => int.Parse(n[Marker.Length..])).ToList();
        var correctedCommitted = (await TextsAsync($"select data->>'reason' from {ssep}.mt_events where type = 'seizure_corrected'"))
            .Select(r => int.Parse(r[("re-weighed " + Marker).Length..])).ToList();
        committed.Distinct().Count().ShouldBe(committed.Count, "no recording committed twice");
        correctedCommitted.Distinct().Count().ShouldBe(correctedCommitted.Count, "no correction committed twice");
        recorded.Keys.Except(committed).ShouldBeEmpty("every acknowledged recording is in the store");
        corrected.Keys.Except(correctedCommitted).ShouldBeEmpty("every acknowledged correction is in the store");
        (await ScalarAsync($"select count(*) from (select stream_id from {ssep}.mt_events where type = 'seizure_recorded' group by 1 having count(*) > 1) d"))
            .ShouldBe(0, "no stream with two recordings");
        var ownCount = committed.Count;
        var ownGrams = committed.Sum(i => correctedCommitted.Contains(i) ? Corrected(i) : Grams(i));
        var partnerCount = partnerRecorded.Count;
        var partnerGrams = partnerRecorded.Sum(Grams);

        // Read models through the round robin (every answer from the survivor now), once the survivor's daemon caught up.
        using var analyst = await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Analyst);
        using var partnerAnalyst = await partner.ClientAsync(partnerCredentials, Roles.Analyst);
        await EventuallyAsync(async () => await SummaryAsync(analyst, "SSEP") == (ownCount, ownGrams), "SSEP's own year summary equals the test's sum", 300);
        await EventuallyAsync(async () => await SummaryAsync(analyst, "SSDC") == (partnerCount, partnerGrams), "SSEP's copy of SSDC's records equals the test's sum", 300);
        await EventuallyAsync(async () => await SummaryAsync(partnerAnalyst, "SSEP") == (ownCount, ownGrams), "SSDC's copy of SSEP's records equals the test's sum", 300);

        // Shared records once each, both ways: SSDC's records one event each in SSEP's store, SSEP's all in SSDC's.
        var fromSsdc = $"select stream_id from {ssdc}.mt_events where type = 'seizure_recorded'";
        (await ScalarAsync($"select count(distinct id) from {ssep}.mt_streams where id in ({fromSsdc})")).ShouldBe(partnerCount);
        (await ScalarAsync($"select count(*) from {ssep}.mt_events where stream_id in ({fromSsdc})")).ShouldBe(partnerCount, "each shared record applied once");
        var fromSsep = $"select stream_id from {ssep}.mt_events where type = 'seizure_recorded'";
        (await ScalarAsync($"select count(distinct id) from {ssdc}.mt_streams where id in ({fromSsep})")).ShouldBe(ownCount);
        using var verifier = await ReplicaFront.ClientAsync(replicas, host, credentials, Roles.Supervisor);
        var verified = await verifier.GetFromJsonAsync<JsonElement>("/api/projections/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        // Still one replica per shard: the survivor runs them all.
        (await RunningAsync(survivorMonitoring)).Values.ShouldAllBe(v => v == 1);

        daemonTakeover.ShouldBeLessThan(TimeSpan.FromSeconds(30), "the daemon is taken over within seconds");
        Console.WriteLine($"[figures] replicas: 2 SSEP processes behind a round robin + SSDC partner (PostgreSQL queues); {total} recordings sent " +
                          $"({acknowledgedAtKill} acknowledged at the kill, {recorded.Count} in all, {faults} requests cut off or refused), " +
                          $"{corrected.Count} corrections acknowledged, {partnerCount} partner records; SIGKILL of the daemon replica ({dead.Name}) with " +
                          $"{lagAtKill} events behind; daemon (every shard) running on {survivor.Name} {daemonTakeover.TotalSeconds:F1} s after the kill; " +
                          $"dead replica ejected by Wolverine's leader after {nodeEjected.TotalSeconds:F1} s; committed {ownCount} recordings, " +
                          $"{correctedCommitted.Count} corrections; year summaries = the test's sums (SSEP {ownCount}/{ownGrams} g, SSDC's {partnerCount}/{partnerGrams} g, " +
                          $"SSDC's copy of SSEP's {ownCount}/{ownGrams} g); duplicates: 0; stream {streamTime.TotalSeconds:F0} s; " +
                          $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicaCollection
{
    public const string Name = "replicas";
}
