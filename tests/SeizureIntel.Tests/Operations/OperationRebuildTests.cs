using JasperFx.Events.Daemon;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

public sealed class OperationRebuildTests(NodeFixture fixture) : OperationTest(fixture)
{
    private async Task<List<string>> SnapshotsAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select id::text || ' ' || data::text from {Fixture.Schema}.mt_doc_jointoperation order by id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task rebuilding_operations_from_their_events_yields_exactly_the_live_documents()
    {
        var (a, v) = await LaunchedAsync();
        var first = await RecordAsync(Body(value: 5m, unit: "g"));
        v = await DoAsync(a, "seizures", new { seizureId = first.Id }, v);
        await RecordAsync(new
        {
            facilityId = "SIZO-1", occurredAt = "2015-03-05T11:00:00+06:00", substance = "heroin", quantity = new { value = 2, unit = "g" },
            detection = "joint-operation", operationId = a,
        });
        // A seizure that joins by a correction of its detection.
        var corrected = await RecordAsync(Body(value: 3m, unit: "g", detection: "xray-parcel"));
        await ChangeAsync(corrected.Id, "corrections", new { reason = "the raid's log lists it", detection = "joint-operation", operationId = a }, 1);
        v = await DoAsync(a, "arrests", new { count = 2, charges = new[] { "Art. 283 CC KR" } }, v + 2);
        v = await DoAsync(a, "cases", new { caseNumber = "21-7", agency = "SSDC" }, v);
        await DoAsync(a, "conclude", new { summary = "done" }, v);
        var b = await PlanAsync(Plan(codeName: "B", area: Bishkek));
        await DoAsync(b.Id, "cancel", new { reason = "r" }, b.Version);

        var live = await SnapshotsAsync();
        live.Count.ShouldBe(2);
        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync("JointOperation", TimeSpan.FromMinutes(1), CancellationToken.None);
        (await SnapshotsAsync()).ShouldBe(live);
    }
}
