using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// After a large import the read models are rebuilt blue/green at once (ImportCatchUp), not left to the daemon: the figures
/// must equal the test's own sums of the imported rows, every read model must equal Marten's own rebuild from the events,
/// and seizures recorded through the API meanwhile must count exactly once.
/// </summary>
public sealed class ImportCatchUpTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Header = "reference,facility,occurred_at,substance,quantity,unit,detection,place,entry,concealment,possession,lat,lon,notes";
    private static readonly string[] Facilities = ["SIZO-1", "IK-1", "IK-47", "SIZO-5", "KP-26"];
    private static readonly string[] Substances = ["heroin", "cannabis-herb", "cannabis-resin", "opium"];
    private static readonly string[] Detections = ["visitor-search", "cell-search", "perimeter", "canine"];

    private sealed record Row(string Facility, int Year, decimal Grams);

    /// <summary>n rows over five facilities and 2012–2016 (local times at +06:00, so the stated year is the local one), g or kg; the rows as the test keeps them.</summary>
    private static (byte[] Csv, List<Row> Rows) File(int n, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(Header).Append('\n');
        var rows = new List<Row>();
        for (var i = 1; i <= n; i++)
        {
            var facility = Facilities[random.Next(Facilities.Length)];
            var year = 2012 + random.Next(5);
            var at = new DateTime(year, 1, 1).AddMinutes(random.Next(0, 364 * 24 * 60));
            var kg = random.Next(4) == 0;
            var value = Math.Round((decimal)random.NextDouble() * 500m + 0.001m, 3);
            rows.Add(new Row(facility, year, kg ? value * 1000m : value));
            text.Append($"CU-{seed}-{i},{facility},{at:yyyy-MM-ddTHH:mm:ss}+06:00,{Substances[random.Next(Substances.Length)]},")
                .Append(value.ToString(CultureInfo.InvariantCulture)).Append(kg ? ",kg," : ",g,").Append(Detections[random.Next(Detections.Length)])
                .Append(",,,,,,,\n");
        }
        return (Encoding.UTF8.GetBytes(text.ToString()), rows);
    }

    /// <summary>Posts the file and waits until the import is completed and says how its read models caught up.</summary>
    private async Task<JsonElement> ImportAsync(byte[] csv)
    {
        using var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-User", "importer-1");
        using var response = await client.PostAsync("/api/imports", new ByteArrayContent(csv) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var url = response.Headers.Location!.ToString();
        JsonElement import = default;
        await NodeApi.EventuallyAsync(async () =>
        {
            import = await GetJsonAsync(url);
            var status = import.GetProperty("status").GetString();
            if (status is "refused" or "failed") throw new ShouldAssertException($"the import ended {status}: {import}");
            return status == "completed" && import.TryGetProperty("readModels", out var readModels) && readModels.ValueKind == JsonValueKind.Object;
        }, "the import completes and its read models catch up", 180);
        return import;
    }

    /// <summary>Runs the test with rebuilds after imports of 500 events or more, whatever their share.</summary>
    private async Task WithLowThresholdAsync(Func<Task> test)
    {
        var options = Host.Services.GetRequiredService<ReadModelOptions>();
        var (events, percent) = (options.RebuildAfterImportEvents, options.RebuildAfterImportPercent);
        options.RebuildAfterImportEvents = 500;
        options.RebuildAfterImportPercent = 0;
        try { await test(); }
        finally { (options.RebuildAfterImportEvents, options.RebuildAfterImportPercent) = (events, percent); }
    }

    private async Task ShouldEqualMartensOwnRebuildAsync()
    {
        await WaitForProjectionsAsync();
        var served = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        served["mt_doc_monthlyrollup"].ShouldNotBeEmpty();
        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(3), CancellationToken.None);
        await WaitForProjectionsAsync();
        var rebuilt = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        foreach (var (table, rows) in rebuilt) served[table].ShouldBe(rows, table);
    }

    [Fact]
    public async Task A_large_import_is_caught_up_by_the_rebuild_and_every_figure_equals_the_rows_own_sums() => await WithLowThresholdAsync(async () =>
    {
        // Some seizures before, through the API: the rebuild folds them with the import's.
        var before = RawSeizure.Varied(16, seed: 5).Where(s => s.Grams is not null).ToList();
        foreach (var seizure in before) await RecordAsync(seizure.Body);
        var (csv, rows) = File(2_000, seed: 15);

        var import = await ImportAsync(csv);
        import.GetProperty("rowsImported").GetInt32().ShouldBe(2_000);
        var readModels = import.GetProperty("readModels");
        readModels.GetProperty("by").GetString().ShouldBe("rebuild", readModels.ToString());
        readModels.GetProperty("eventsBehind").GetInt64().ShouldBeGreaterThanOrEqualTo(2_000);
        readModels.GetProperty("upTo").GetInt64().ShouldBeGreaterThanOrEqualTo(await EventCountAsync());
        readModels.GetProperty("phases").GetString()!.ShouldContain("fold");
        readModels.GetProperty("caughtUpAt").GetDateTimeOffset().Offset.ShouldBe(TimeSpan.FromHours(6)); // Bishkek time, never bare UTC

        // Right after the import, without waiting for the daemon: the served figures are the rows' own sums.
        foreach (var year in Enumerable.Range(2012, 5))
        {
            var summary = await GetJsonAsync($"/api/years/{year}/summary");
            var expected = rows.Where(r => r.Year == year).ToList();
            var earlier = before.Where(s => s.Year == year && s.Grams is not null).ToList();
            summary.GetProperty("count").GetInt32().ShouldBe(expected.Count + before.Count(s => s.Year == year), $"{year}");
            summary.GetProperty("grams").GetDecimal().ShouldBe(expected.Sum(r => r.Grams) + earlier.Sum(s => s.Grams!.Value), $"{year}");
            foreach (var facility in Facilities)
            {
                var at = await GetJsonAsync($"/api/facilities/{facility}/years/{year}/summary");
                var mine = expected.Where(r => r.Facility == facility).ToList();
                var theirs = earlier.Where(s => s.Facility == facility).ToList();
                at.GetProperty("count").GetInt32().ShouldBe(mine.Count + before.Count(s => s.Year == year && s.Facility == facility), $"{facility} {year}");
                at.GetProperty("grams").GetDecimal().ShouldBe(mine.Sum(r => r.Grams) + theirs.Sum(s => s.Grams!.Value), $"{facility} {year}");
            }
        }
        await ShouldEqualMartensOwnRebuildAsync();
    });

    [Fact]
    public async Task Seizures_recorded_through_the_api_while_the_import_is_caught_up_count_exactly_once() => await WithLowThresholdAsync(async () =>
    {
        var (csv, rows) = File(3_000, seed: 16);
        // A client records seizures in 2019 (a year the file has none of) from before the import until its read models are switched in.
        using var stop = new CancellationTokenSource();
        var posted = new List<(Guid Id, decimal Grams)>();
        var poster = Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
            {
                var grams = 10m + i % 17 + i / 1000m;
                var created = await RecordAsync(Body(facilityId: Facilities[i % Facilities.Length], occurredAt: $"2019-{1 + i % 12:D2}-{1 + i % 28:D2}T09:15:00+06:00",
                    substance: "heroin", value: grams, unit: "g"));
                lock (posted) posted.Add((created.Id, grams));
                await Task.Delay(20);
            }
        });
        JsonElement import;
        try { import = await ImportAsync(csv); }
        finally
        {
            await stop.CancelAsync();
            await poster;
        }
        var readModels = import.GetProperty("readModels");
        readModels.GetProperty("by").GetString().ShouldBe("rebuild", readModels.ToString());
        var upTo = readModels.GetProperty("upTo").GetInt64();

        // Some posted seizures were folded by the rebuild, others appended after the point it folded up to (applied before the switch or by the daemon after).
        var sequences = await SequencesAsync(posted.Select(p => p.Id).ToArray());
        sequences.Count.ShouldBe(posted.Count);
        sequences.Count(s => s <= upTo).ShouldBeGreaterThan(0);
        sequences.Count(s => s > upTo).ShouldBeGreaterThan(0);

        await WaitForProjectionsAsync();
        var year = await GetJsonAsync("/api/years/2019/summary");
        year.GetProperty("count").GetInt32().ShouldBe(posted.Count);
        year.GetProperty("grams").GetDecimal().ShouldBe(posted.Sum(p => p.Grams));
        var imported = await GetJsonAsync("/api/years/2014/summary");
        imported.GetProperty("count").GetInt32().ShouldBe(rows.Count(r => r.Year == 2014));
        imported.GetProperty("grams").GetDecimal().ShouldBe(rows.Where(r => r.Year == 2014).Sum(r => r.Grams));
        await ShouldEqualMartensOwnRebuildAsync();
    });

    [Fact]
    public async Task A_small_import_is_left_to_the_daemon_and_says_why()
    {
        var (csv, rows) = File(40, seed: 17);
        var import = await ImportAsync(csv);
        var readModels = import.GetProperty("readModels");
        readModels.GetProperty("by").GetString().ShouldBe("daemon");
        readModels.GetProperty("why").GetString()!.ShouldContain("RebuildAfterImportEvents");
        (await Host.YearGramsAsync(2013)).ShouldBe(rows.Where(r => r.Year == 2013).Sum(r => r.Grams));
    }

    /// <summary>The sequence numbers of the seizures' first events (SeizureRecorded).</summary>
    private async Task<List<long>> SequencesAsync(Guid[] streams)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select seq_id from {Store.Options.DatabaseSchemaName}.mt_events where stream_id = any($1) and version = 1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streams });
        var result = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) result.Add(reader.GetInt64(0));
        return result;
    }
}
