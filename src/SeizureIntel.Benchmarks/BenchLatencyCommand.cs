using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Npgsql;
using SeizureIntel.Node;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures.References;

namespace SeizureIntel.Benchmarks;

public sealed class BenchLatencyInput : NetCoreInput
{
    [Description("How many seizures to post and time, one after another")]
    [FlagAlias("count", 'n')] // -c is taken by --contentroot
    public int CountFlag { get; set; } = 200;

    [Description("PostgreSQL schema to run in; its data is deleted first, so it must not be the node's configured schema")]
    public string SchemaFlag { get; set; } = "bench";
}

/// <summary>
/// How long after a seizure is recorded does the year summary (kept by the async daemon) count it? Starts the real
/// node on a loopback port, posts seizures one at a time through POST /api/seizures and polls
/// GET /api/years/{year}/summary until each one is counted. The POST round trip alone is the baseline.
/// </summary>
[Description("Latency from POST /api/seizures to the year summary counting the seizure, against the POST alone", Name = "bench-latency")]
public sealed partial class BenchLatencyCommand : JasperFxAsyncCommand<BenchLatencyInput>
{
    private const int Year = 2003;       // the measured seizures all fall in this (local) year
    private const int WarmUpYear = 2002; // warm-up seizures go to another year, so they never touch the measured count
    private const int WarmUpCount = 5;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public override async Task<bool> Execute(BenchLatencyInput input)
    {
        var schema = input.SchemaFlag.Trim().ToLowerInvariant();
        if (input.CountFlag < 1) return Fail("--count must be at least 1");
        if (!Bench.IsPlainIdentifier(schema)) return Fail($"--schema '{input.SchemaFlag}' is not a plain PostgreSQL identifier");

        // The WebApplication Program.cs built holds the configured node: its settings are read, its store is not touched.
        var configured = input.BuildHost().Services.GetRequiredService<NodeOptions>();
        if (!configured.RunDaemon) return Fail("SeizureIntel:RunDaemon is false: the async daemon must run to update the year summary");
        if (string.Equals(schema, configured.Schema, StringComparison.OrdinalIgnoreCase))
            return Fail($"--schema '{schema}' is this node's own schema; the benchmark deletes all data in its schema");
        var (host, http) = await Bench.StartNodeAsync(Bench.ScratchNode(configured, schema));
        await using var _ = host;
        using var __ = http;
        try
        {
            // Start from nothing: no events, documents or daemon progress, reference counters back to zero.
            await host.ResetAllMartenDataAsync();
            await using (var truncate = host.Services.GetRequiredService<NpgsqlDataSource>()
                             .CreateCommand($"truncate {schema}.{ReferenceAllocator.TableName}"))
                await truncate.ExecuteNonQueryAsync();

            Console.WriteLine($"bench-latency: node at {http.BaseAddress}, schema '{schema}', {input.CountFlag} seizures in {Year}, polling every {PollInterval.TotalMilliseconds} ms");

            // Warm-up (not measured): JIT, connection pools, and the daemon's first pass (it may still be electing a leader).
            for (var i = 0; i < WarmUpCount; i++) await RecordAndWaitAsync(http, WarmUpYear, i, i + 1);

            var posts = new List<double>(input.CountFlag);
            var visible = new List<double>(input.CountFlag);
            var before = await CountAsync(http, Year);
            for (var i = 0; i < input.CountFlag; i++)
            {
                var (post, seen) = await RecordAndWaitAsync(http, Year, i, before + i + 1);
                posts.Add(post);
                visible.Add(seen);
            }

            Print(posts, visible);
            return true;
        }
        catch (BenchmarkFailed e)
        {
            return Fail(e.Message);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// Posts seizure number <paramref name="index"/> of <paramref name="year"/> and polls the year summary until it
    /// counts <paramref name="expected"/> seizures. Returns milliseconds from sending the POST to the 201, and to the
    /// summary answer that first included the seizure.
    /// </summary>
    private static async Task<(double Post, double Visible)> RecordAndWaitAsync(HttpClient http, int year, int index, int expected)
    {
        // A different minute for each seizure, from 2 January to late October: well inside the year whatever the
        // facility's historical UTC offset was (Bishkek was +05:00 in 2003, so 1 January 00:00+06:00 is still 2002 there).
        var occurredAt = new DateTimeOffset(year, 1, 2, 12, 0, 0, TimeSpan.FromHours(6)).AddMinutes(index % (300 * 24 * 60));
        var command = new RecordSeizure("SIZO-1", occurredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            "heroin", new QuantityInput(1, "g"), "cell-search", Notes: null);

        var start = Stopwatch.GetTimestamp();
        using (var response = await http.PostAsJsonAsync("/api/seizures", command))
        {
            if (response.StatusCode != HttpStatusCode.Created)
                throw new BenchmarkFailed($"POST /api/seizures answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        var post = Stopwatch.GetElapsedTime(start);

        while (await CountAsync(http, year) < expected)
        {
            if (Stopwatch.GetElapsedTime(start) > Timeout)
                throw new BenchmarkFailed($"the {year} summary did not count seizure {expected} within {Timeout.TotalSeconds} s (is the async daemon running, and does the seizure fall in that local year?)");
            await Task.Delay(PollInterval);
        }
        return (post.TotalMilliseconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    private static async Task<int> CountAsync(HttpClient http, int year) =>
        (await http.GetFromJsonAsync<YearCount>($"/api/years/{year}/summary"))?.Count
        ?? throw new BenchmarkFailed($"GET /api/years/{year}/summary answered no body");

    /// <summary>The one field of the year summary that the benchmark reads.</summary>
    private sealed record YearCount(int Count);

    private static void Print(List<double> posts, List<double> visible)
    {
        Console.WriteLine();
        Console.WriteLine($"{"milliseconds (n = " + posts.Count + ")",-36}{"p50",10}{"p95",10}{"max",10}");
        Row("POST -> 201 (baseline)", posts);
        Row("POST -> counted in year summary", visible);
        Console.WriteLine();
        Console.WriteLine($"ratio of medians (summary / POST): {Bench.Percentile(visible, 0.50) / Bench.Percentile(posts, 0.50):F1}x");

        static void Row(string name, List<double> values) => Console.WriteLine(
            $"{name,-36}{Bench.Percentile(values, 0.50),10:F1}{Bench.Percentile(values, 0.95),10:F1}{values.Max(),10:F1}");
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"bench-latency: {message}");
        return false;
    }

    private sealed class BenchmarkFailed(string message) : Exception(message);
}
