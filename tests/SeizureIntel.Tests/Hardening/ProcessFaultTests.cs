using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Hardening;

/// <summary>
/// Issue 13, point 5, against real processes and servers: a node killed with SIGKILL in the middle of a stream of
/// concurrent recordings, and PostgreSQL stopped and started again under load (a private throwaway cluster, so no other
/// test's database goes down). Afterwards every acknowledged (201) seizure is there exactly once, references have no
/// gap, and the read models equal a rebuild from the events. Each run prints its figures.
/// </summary>
[Collection(ProcessFaultCollection.Name)]
public sealed class ProcessFaultTests
{
    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    private static async Task<List<string>> ReferencesAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select data->>'reference' from {schema}.mt_events where type = 'seizure_recorded'", connection);
        var references = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) references.Add(reader.GetString(0));
        return references;
    }

    /// <summary>Every acknowledged seizure once (one stream, one SeizureRecorded), references 1..n without a gap, read models = events.</summary>
    private static async Task<(int Lost, int Doubled, int Gaps, int Committed)> CheckAsync(NodeProcess node, string connectionString, string schema,
        IReadOnlyCollection<RecordingStream.Acknowledged> acks)
    {
        await node.CaughtUpAsync();
        var lost = 0;
        var doubled = 0;
        foreach (var ack in acks)
        {
            var streams = await ScalarAsync(connectionString, $"select count(*) from {schema}.mt_streams where id = '{ack.Id}'");
            var recorded = await ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events where stream_id = '{ack.Id}' and type = 'seizure_recorded'");
            if (streams == 0 || recorded == 0) lost++;
            if (recorded > 1) doubled++;
        }
        acks.Select(a => a.Id).Distinct().Count().ShouldBe(acks.Count, "no id acknowledged twice");
        acks.Select(a => a.Reference).Distinct().Count().ShouldBe(acks.Count, "no reference handed out twice");
        var numbers = (await ReferencesAsync(connectionString, schema)).Select(r => int.Parse(Regex.Match(r, @"(\d+)$").Value)).OrderBy(n => n).ToList();
        numbers.Distinct().Count().ShouldBe(numbers.Count, "no reference committed twice");
        var gaps = numbers.Count == 0 ? 0 : numbers[^1] - numbers.Count;
        var verified = await node.GetJsonAsync("/api/projections/verify");
        verified.GetProperty("consistent").GetBoolean().ShouldBeTrue(verified.ToString());
        // The year's figure counts every committed seizure once (the acknowledged ones and any committed as the node died).
        var committed = numbers.Count;
        (await node.GetJsonAsync("/api/years/2015/summary")).GetProperty("count").GetInt32().ShouldBe(committed);
        return (lost, doubled, gaps, committed);
    }

    [Fact]
    public async Task a_node_killed_during_concurrent_recordings_keeps_every_acknowledged_seizure_exactly_once()
    {
        var schema = $"{Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests"}_kill";
        await ScalarAsync(TestDatabase.ConnectionString, $"drop schema if exists {schema} cascade; select 0");
        await using var node = new NodeProcess(TestDatabase.ConnectionString, schema);
        await node.StartAsync();
        var total = FaultSizes.Recordings;
        var stream = new RecordingStream(node, clients: 8);
        var started = Stopwatch.StartNew();

        // Eight officers record; once a third is acknowledged, the node is killed mid-stream (requests in flight).
        using (var stop = new CancellationTokenSource())
        {
            var recording = stream.RunAsync(int.MaxValue, stop.Token);
            await NodeApi.EventuallyAsync(() => Task.FromResult(stream.Acks.Count >= total / 3), "a third recorded", 300);
            node.KillHard();
            await Task.Delay(500);
            stop.Cancel();
            await recording;
        }
        var beforeKill = stream.Acks.Count;

        // Restarted on the same store, it takes the rest of the stream.
        await node.StartAsync();
        await stream.RunAsync(total, CancellationToken.None);
        var (lost, doubled, gaps, committed) = await CheckAsync(node, TestDatabase.ConnectionString, schema, stream.Acks.ToList());
        lost.ShouldBe(0);
        doubled.ShouldBe(0);
        gaps.ShouldBe(0);
        Console.WriteLine($"[figures] kill -9: {stream.Acks.Count} recordings acknowledged by 8 concurrent clients ({beforeKill} before the kill), " +
                          $"{stream.Faults} requests failed as the node died (never acknowledged), {committed} committed in all, in {started.Elapsed.TotalSeconds:F0} s; " +
                          $"faults: 1 SIGKILL; lost: {lost}, double-counted: {doubled}, reference gaps: {gaps}, read models = rebuild: yes");
        node.KillHard();
        await ScalarAsync(TestDatabase.ConnectionString, $"drop schema if exists {schema} cascade; select 0");
    }

    [Fact]
    public async Task postgresql_stopped_under_load_makes_the_node_unhealthy_and_it_recovers_by_itself_losing_nothing()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        var schema = "fault";
        await using var node = new NodeProcess(cluster.ConnectionString, schema);
        await node.StartAsync();
        var total = FaultSizes.Recordings;
        var stream = new RecordingStream(node, clients: 8);
        var started = Stopwatch.StartNew();
        string unhealthy;
        using (var stop = new CancellationTokenSource())
        {
            var recording = stream.RunAsync(int.MaxValue, stop.Token);
            await NodeApi.EventuallyAsync(() => Task.FromResult(stream.Acks.Count >= total / 3), "a third recorded", 300);
            await cluster.StopAsync();
            await NodeApi.EventuallyAsync(async () => await node.HealthAsync() == 503, "the node reports itself unhealthy", 60);
            unhealthy = await node.HealthTextAsync();
            var during = stream.Acks.Count;
            await Task.Delay(3000);
            stream.Acks.Count.ShouldBe(during, "nothing is acknowledged while the database is down");
            await cluster.StartAgainAsync();
            await NodeApi.EventuallyAsync(async () => await node.HealthAsync() == 200, "the node recovers by itself", 180);
            stop.Cancel();
            await recording;
        }
        await stream.RunAsync(total, CancellationToken.None);
        var (lost, doubled, gaps, committed) = await CheckAsync(node, cluster.ConnectionString, schema, stream.Acks.ToList());
        lost.ShouldBe(0);
        doubled.ShouldBe(0);
        unhealthy.ShouldContain("Unhealthy");
        Console.WriteLine($"[figures] PostgreSQL stopped under load: {stream.Acks.Count} recordings acknowledged by 8 concurrent clients, " +
                          $"{stream.Faults} refused while it was down, {committed} committed, in {started.Elapsed.TotalSeconds:F0} s; /health while down: " +
                          $"\"{unhealthy.Split('\n')[0].Trim()}\", recovered without a restart; lost: {lost}, double-counted: {doubled}, reference gaps: {gaps}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessFaultCollection
{
    public const string Name = "process faults";
}

/// <summary>
/// A throwaway PostgreSQL 15 + PostGIS cluster of its own (initdb into a temporary folder, a free port on 127.0.0.1, a
/// generated superuser password, scram-sha-256), as ops/postgres makes one: stopping it disturbs no other test.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _folder = Path.Combine("/var/tmp", $"seizureintel-pgfault-{Guid.NewGuid():N}");
    private readonly int _port = NodeProcess.FreePort();
    private readonly string _password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    private string Data => Path.Combine(_folder, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Database=fault;Username=postgres;Password={_password};Timeout=5;Command Timeout=30";

    private static bool Root => Environment.UserName == "root";

    private async Task RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Root ? "runuser" : Path.Combine(Bin, tool))
            { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true };
        if (Root) foreach (var a in new[] { "-u", "postgres", "--", Path.Combine(Bin, tool) }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: {await output}{await error}");
    }

    private async Task ChownAsync(string path)
    {
        if (!Root) return;
        using var chown = Process.Start("chown", ["-R", "postgres", path])!;
        await chown.WaitForExitAsync();
    }

    public static async Task<PrivateCluster> StartAsync()
    {
        var cluster = new PrivateCluster();
        Directory.CreateDirectory(cluster._folder);
        var passwordFile = Path.Combine(cluster._folder, "pw");
        await File.WriteAllTextAsync(passwordFile, cluster._password);
        await cluster.ChownAsync(cluster._folder);
        await cluster.RunAsync("initdb", "-D", cluster.Data, "-U", "postgres", $"--pwfile={passwordFile}", "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8");
        File.Delete(passwordFile);
        await cluster.StartAgainAsync();
        await using var connection = new NpgsqlConnection(cluster.ConnectionString.Replace("Database=fault", "Database=postgres"));
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("create database fault", connection)) await create.ExecuteNonQueryAsync();
        await using var fault = new NpgsqlConnection(cluster.ConnectionString);
        await fault.OpenAsync();
        await using (var postgis = new NpgsqlCommand("create extension if not exists postgis", fault)) await postgis.ExecuteNonQueryAsync();
        return cluster;
    }

    public async Task StartAgainAsync()
    {
        await RunAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60", "start",
            "-o", $"-c listen_addresses=127.0.0.1 -p {_port} -k {_folder} -c fsync=off -c max_connections=100");
        // This test process's own pooled connections died with the server (the node's are its own business).
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A fast shutdown: every connection is cut, as when the server goes down.</summary>
    public Task StopAsync() => RunAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (InvalidOperationException) { } // already stopped
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
