using System.Diagnostics;
using JasperFx.Events.Daemon;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Ledger;

public sealed class RebuildTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task rebuilding_the_ledger_from_the_events_yields_exactly_the_live_read_models()
    {
        // Posted one by one, so the live daemon sees many small batches; the rebuild replays them in large ones.
        var raw = RawSeizure.Varied(60, seed: 7);
        foreach (var seizure in raw) await RecordAsync(seizure.Body);
        var placed = await PlacedLife.RecordAsync(Host);
        await WaitForProjectionsAsync();
        var live = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        live["mt_doc_yearsummary"].ShouldNotBeEmpty();
        live["mt_doc_seizurefact"].Count.ShouldBe(71);
        PlacedLife.ShouldHold(live[LedgerSnapshot.Locations], placed, others: raw.Count(s => s.Facility == "SIZO-1"));

        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await WaitForProjectionsAsync();

        var rebuilt = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
    }

    [Fact]
    public async Task the_blue_green_rebuild_while_serving_yields_exactly_the_live_read_models_and_serves_throughout()
    {
        var raw = RawSeizure.Varied(40, seed: 17);
        foreach (var seizure in raw) await RecordAsync(seizure.Body);
        var placed = await PlacedLife.RecordAsync(Host);
        await WaitForProjectionsAsync();
        var live = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        live["mt_doc_monthlyrollup"].ShouldNotBeEmpty();
        var year = raw.Where(s => s.Year == 2015).ToList();
        var before = await GetJsonAsync("/api/years/2015/summary");

        // Readers keep asking while it runs: every answer is the same figure, from the previous tables or the new ones.
        using var stop = new CancellationTokenSource();
        var answers = new List<int>();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                answers.Add((await GetJsonAsync("/api/years/2015/summary")).GetProperty("count").GetInt32());
                await Task.Delay(5);
            }
        });
        var rebuild = ActivatorUtilities.CreateInstance<LedgerRebuild>(Host.Services);
        var phases = new List<string>();
        var outcome = await rebuild.RunAsync(new Progress<LedgerRebuild.Progress>(p => { lock (phases) phases.Add(p.Phase); }), whileServing: true,
            CancellationToken.None);
        await stop.CancelAsync();
        await reader;

        outcome.Events.ShouldBe(await EventCountAsync());
        outcome.Seizures.ShouldBe(live["mt_doc_seizurefact"].Count);
        answers.ShouldNotBeEmpty();
        answers.ShouldAllBe(a => a == before.GetProperty("count").GetInt32());
        var rebuilt = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
        PlacedLife.ShouldHold(rebuilt[LedgerSnapshot.Locations], placed, others: raw.Count(s => s.Facility == "SIZO-1"));

        // After the switch the daemon goes on from where the rebuild stopped: a new seizure is counted once.
        var extra = year[0];
        await RecordAsync(extra.Body);
        await WaitForProjectionsAsync();
        (await GetJsonAsync("/api/years/2015/summary")).GetProperty("count").GetInt32().ShouldBe(before.GetProperty("count").GetInt32() + 1);
    }

    [Fact]
    public async Task the_blue_green_rebuild_parks_the_poison_events_the_live_projection_parked_and_counts_the_rest()
    {
        foreach (var seizure in RawSeizure.Varied(10, seed: 23)) await RecordAsync(seizure.Body);
        var valid = await RecordAsync(Body(value: 1m, unit: "kg"));
        var later = await RecordAsync(Body(value: 2m, unit: "kg"));
        // Stored as if before the bounds existed: a recording that is poison from its first event (the fold keeps no copy of a
        // new seizure's fact), and a poison correction of a valid seizure, which must count as it stood before it.
        await using (var session = Store.LightweightSession())
        {
            var id = Guid.CreateVersion7();
            var at = new DateTimeOffset(2015, 3, 14, 4, 30, 0, TimeSpan.Zero);
            var huge = new Quantity(79_000_000_000_000_000_000_000_000_000m, "kg");
            session.Events.StartStream(id, new SeizureRecorded(id, "SSEP", "SSEP-2015-999999", "SIZO-1", at, new DateOnly(2015, 3, 14), "Asia/Bishkek",
                "heroin", huge, "cell-search", null, "officer-1", at));
            session.Events.Append(valid.Id, new SeizureCorrected(valid.Id, [], "typo", new Actor("officer-1", "SSEP"), at, Quantity: huge));
            await session.SaveChangesAsync();
        }
        await ChangeAsync(later.Id, "void", new { reason = "recorded twice" }, later.Version);
        await WaitForProjectionsAsync();
        var live = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        var liveParked = await ParkedAsync();
        liveParked.Count.ShouldBe(2);

        var rebuild = ActivatorUtilities.CreateInstance<LedgerRebuild>(Host.Services);
        var outcome = await rebuild.RunAsync(null, whileServing: true, CancellationToken.None);

        outcome.Parked.ShouldBe(2);
        var rebuilt = await LedgerSnapshot.TakeAsync(Fixture.Schema);
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
        (await ParkedAsync()).ShouldBe(liveParked);
        // The valid seizure counts as it stood before its poison correction (1 kg), the voided one not at all.
        (await Host.YearGramsAsync(2015)).ShouldBe(1000m + Grams2015(RawSeizure.Varied(10, seed: 23)));
    }

    private static decimal Grams2015(IEnumerable<RawSeizure> raw) => raw.Where(s => s.Year == 2015).Sum(s => s.Grams ?? 0m);

    private async Task<List<string>> ParkedAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"select data::text from {Fixture.Schema}.mt_doc_parkedevent order by id", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}

/// <summary>A node of its own in a schema of its own: the command-line rebuild runs while no host is attached.</summary>
public sealed class CliRebuildFixture : NodeFixture
{
    public override string Schema => base.Schema + "_cli";
}

[CollectionDefinition(Name)]
public sealed class CliRebuildCollection : ICollectionFixture<CliRebuildFixture>
{
    public const string Name = "cli-rebuild";
}

[Collection(CliRebuildCollection.Name)]
public sealed class CliRebuildTests(CliRebuildFixture fixture)
{
    [Fact]
    public async Task the_command_line_rebuild_yields_exactly_the_live_read_models()
    {
        await fixture.ResetAsync();
        var host = fixture.Host;
        var raw = RawSeizure.Varied(25, seed: 11);
        foreach (var seizure in raw)
            await host.RecordAsync(seizure.Body);
        var placed = await PlacedLife.RecordAsync(host);
        await host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var live = await LedgerSnapshot.TakeAsync(fixture.Schema);
        PlacedLife.ShouldHold(live[LedgerSnapshot.Locations], placed, others: raw.Count(s => s.Facility == "SIZO-1"));
        await host.StopAsync(); // detach the live daemon; the fixture's dispose copes with a stopped host

        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "projections", "rebuild"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString,
                ["SeizureIntel__Schema"] = fixture.Schema,
                ["SeizureIntel__Agency"] = "SSEP",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        process.ExitCode.ShouldBe(0, await output + await errors);
        (await output).ShouldContain("Finished rebuilding SeizureLedger");

        var rebuilt = await LedgerSnapshot.TakeAsync(fixture.Schema);
        live["mt_doc_yearsummary"].ShouldNotBeEmpty();
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
    }
}
