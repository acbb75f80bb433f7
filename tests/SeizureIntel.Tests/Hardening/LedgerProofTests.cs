using System.Diagnostics;
using Alba;
using Npgsql;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 4: every read model is recomputed from the events and compared (the endpoint and the node binary's
/// <c>projections verify</c>); an event committed late into a sequence gap the daemon had already skipped is found and
/// healed, not silently dropped; <c>projections rebuild</c> refuses while a node's daemon runs on the same store.
/// </summary>
public sealed class LedgerProofTests(NodeFixture fixture) : NodeTest(fixture)
{
    private string Schema => Fixture.Schema;

    private static async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<string>> ColumnsAsync(string schema, string table)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select column_name from information_schema.columns where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position", connection);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }

    /// <summary>
    /// What a slow transaction does: it took sequence <paramref name="sequence"/> before others and commits after the daemon
    /// went past it. Written as a copy of <paramref name="like"/>'s first event, as a new seizure stream.
    /// </summary>
    private async Task<Guid> CommitLateAsync(long sequence, Guid like)
    {
        var late = Guid.CreateVersion7();
        string Copy(string table, Dictionary<string, string> replace, string where)
        {
            var columns = ColumnsAsync(Schema, table).GetAwaiter().GetResult();
            return $"insert into {Schema}.{table} ({string.Join(", ", columns)}) select {string.Join(", ", columns.Select(c => replace.GetValueOrDefault(c, c)))} " +
                   $"from {Schema}.{table} where {where}";
        }
        await ScalarAsync(Copy("mt_streams", new() { ["id"] = $"'{late}'::uuid" }, $"id = '{like}'") + "; " +
                          Copy("mt_events", new()
                          {
                              ["seq_id"] = sequence.ToString(), ["id"] = "gen_random_uuid()", ["stream_id"] = $"'{late}'::uuid",
                              ["data"] = $"jsonb_set(data, '{{seizureId}}', to_jsonb('{late}'::text))",
                          }, $"stream_id = '{like}' and version = 1"));
        return late;
    }

    [Fact]
    public async Task an_event_committed_into_a_skipped_sequence_gap_is_found_by_verification_and_healed()
    {
        var first = await RecordAsync(Body(value: 1m, unit: "kg"));
        // A transaction takes the next sequence number and stays open...
        var gap = Convert.ToInt64(await ScalarAsync($"select nextval('{Schema}.mt_events_sequence')"));
        var second = await RecordAsync(Body(value: 2m, unit: "kg"));
        // ...long enough for the daemon to give up waiting on it and go past it.
        await WaitForProjectionsAsync();
        (await Host.YearGramsAsync(2015)).ShouldBe(3000m);
        var progress = Convert.ToInt64(await ScalarAsync($"select max(last_seq_id) from {Schema}.mt_event_progression where name like 'SeizureLedger%'"));
        progress.ShouldBeGreaterThan(gap);

        // ...then commits: an event the daemon will never read, and a seizure without its inline snapshot.
        var late = await CommitLateAsync(gap, second.Id);
        await Task.Delay(2000);
        (await Host.YearGramsAsync(2015)).ShouldBe(3000m, "the daemon went past the late event");

        var verified = await GetJsonAsync("/api/projections/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        var differences = verified.GetProperty("differences").EnumerateArray()
            .Select(d => (Model: d.GetProperty("readModel").GetString(), Id: d.GetProperty("id").GetString())).ToList();
        differences.ShouldContain(("SeizureFact", late.ToString()));
        differences.ShouldContain(("Seizure", late.ToString()));
        differences.ShouldContain(("YearSummary", "2015"));
        (await (await Host.Scenario(s => s.Get.Url("/health"))).ReadAsTextAsync()).ShouldContain("ledger verification found");

        var healed = await Host.Scenario(s => { s.Post.Url("/api/projections/heal"); s.StatusCodeShouldBeOk(); });
        var healing = System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(await healed.ReadAsTextAsync());
        healing.GetProperty("after").GetProperty("consistent").GetBoolean().ShouldBeTrue(healing.ToString());
        healing.GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ShouldContain(a => a!.StartsWith("rebuilt SeizureLedger"));
        await WaitForProjectionsAsync();
        (await Host.YearGramsAsync(2015)).ShouldBe(1000m + 2000m + 2000m, "the late seizure counts once healed");
        (await GetJsonAsync($"/api/seizures/{late}")).GetProperty("status").GetString().ShouldBe("counted");
        (await GetJsonAsync("/api/projections/verify")).GetProperty("consistent").GetBoolean().ShouldBeTrue();
        first.Id.ShouldNotBe(late);
    }

    /// <summary>
    /// Nobody has to ask: a node verifies on its own schedule (SeizureIntel:Health:VerifyEverySeconds), and a read
    /// model edited behind the events turns /health degraded, naming the verification, until healed.
    /// </summary>
    [Fact]
    public async Task a_drifted_read_model_turns_health_degraded_by_the_scheduled_verification_alone()
    {
        await RecordAsync(Body(occurredAt: "2015-04-01T10:00:00+06:00", value: 1m, unit: "kg"));
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/projections/verify")).GetProperty("consistent").GetBoolean().ShouldBeTrue();
        await using var scheduled = await Fixture.StartHostAsync(b =>
        {
            b.UseSetting("SeizureIntel:Health:VerifyEverySeconds", "1");
            b.UseSetting("SeizureIntel:RunDaemon", "false");
        });
        await ScalarAsync($"update {Schema}.mt_doc_yearsummary set data = jsonb_set(data, '{{total,count}}', '999') where id = '2015'");

        await NodeApi.EventuallyAsync(async () => (await (await scheduled.Scenario(s => { s.Get.Url("/health"); s.IgnoreStatusCode(); })).ReadAsTextAsync())
            .Contains("ledger verification found"), "the scheduled verification to find the drifted year summary");

        var healed = await Host.Scenario(s => { s.Post.Url("/api/projections/heal"); s.StatusCodeShouldBeOk(); });
        System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(await healed.ReadAsTextAsync())
            .GetProperty("after").GetProperty("consistent").GetBoolean().ShouldBeTrue();
        await NodeApi.EventuallyAsync(async () => !(await (await scheduled.Scenario(s => { s.Get.Url("/health"); s.IgnoreStatusCode(); })).ReadAsTextAsync())
            .Contains("ledger verification found"), "the next scheduled verification to find the healed store consistent");
    }

    [Fact]
    public async Task verification_covers_every_read_model_and_finds_a_drifted_facility_summary_and_a_drifted_seizure()
    {
        foreach (var raw in RawSeizure.Varied(12, seed: 11)) await RecordAsync(raw.Body);
        await WaitForProjectionsAsync();
        var verified = await GetJsonAsync("/api/projections/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        var compared = verified.GetProperty("checked");
        foreach (var model in new[] { "SeizureFact", "YearSummary", "FacilitySummary", "FacilityYearSummary", "MonthlyBucket", "Seizure",
                     "JointOperation", "EffortRecord", "Intervention", "SeizureOperationLink" })
            compared.TryGetProperty(model, out _).ShouldBeTrue($"{model} is verified");
        compared.GetProperty("Seizure").GetInt32().ShouldBe(12);

        await ScalarAsync($"update {Schema}.mt_doc_facilitysummary set data = jsonb_set(data, '{{total,count}}', to_jsonb((data->'total'->>'count')::int + 1)) " +
                          $"where id = (select min(id) from {Schema}.mt_doc_facilitysummary)");
        await ScalarAsync($"update {Schema}.mt_doc_seizure set data = jsonb_set(data, '{{notes}}', '\"edited behind the events\"') " +
                          $"where id = (select id from {Schema}.mt_doc_seizure order by id limit 1)");
        var drifted = await GetJsonAsync("/api/projections/verify");
        drifted.GetProperty("consistent").GetBoolean().ShouldBeFalse();
        var models = drifted.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("readModel").GetString()).ToList();
        models.ShouldContain("FacilitySummary");
        models.ShouldContain("Seizure");

        await Host.Scenario(s => { s.Post.Url("/api/projections/heal"); s.StatusCodeShouldBeOk(); });
        (await GetJsonAsync("/api/projections/verify")).GetProperty("consistent").GetBoolean().ShouldBeTrue();
    }

    /// <summary>The node binary beside the tests' (built by the same solution build), run on this fixture's store.</summary>
    private async Task<(int Exit, string Output)> NodeCommandAsync(params string[] args)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "SeizureIntel.sln"))) root = root.Parent;
        var bin = Path.Combine(root!.FullName, "src", "SeizureIntel", "bin", "Debug", "net10.0");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(bin, "SeizureIntel.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString;
        start.Environment["SeizureIntel__Schema"] = Schema;
        start.Environment["SeizureIntel__Agency"] = "SSEP";
        start.Environment["SeizureIntel__LoadDemoData"] = "false";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);
        return (process.ExitCode, await output + await error);
    }

    [Fact]
    public async Task the_node_binary_verifies_every_read_model_and_refuses_to_rebuild_while_a_nodes_daemon_runs_on_the_store()
    {
        for (var i = 0; i < 5; i++) await RecordAsync(Body(value: 1m + i, unit: "g"));
        await WaitForProjectionsAsync();
        var (exit, output) = await NodeCommandAsync("projections", "verify");
        exit.ShouldBe(0, output);
        output.ShouldContain("projections verify: consistent");
        output.ShouldContain("MonthlyBucket");

        await ScalarAsync($"update {Schema}.mt_doc_yearsummary set data = jsonb_set(data, '{{total,count}}', '999') where id = '2015'");
        (exit, output) = await NodeCommandAsync("projections", "verify");
        exit.ShouldBe(3, output);
        output.ShouldContain("DIFFERENT YearSummary 2015");

        // This fixture's node runs its daemon on the store: a rebuild from the command line is refused and changes nothing.
        await EventuallyHeldAsync();
        (exit, output) = await NodeCommandAsync("projections", "rebuild");
        exit.ShouldBe(4, output);
        output.ShouldContain("refused: a node's async daemon is running");
        Convert.ToInt64(await ScalarAsync($"select (data->'total'->>'count')::int from {Schema}.mt_doc_yearsummary where id = '2015'")).ShouldBe(999);
        await Host.Scenario(s => { s.Post.Url("/api/projections/heal"); s.StatusCodeShouldBeOk(); });
    }

    private async Task EventuallyHeldAsync()
    {
        var daemonLock = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<SeizureIntel.Node.DaemonLock>(Host.Services);
        await NodeApi.EventuallyAsync(() => Task.FromResult(daemonLock.Held), "the node holds its daemon lock");
    }
}
