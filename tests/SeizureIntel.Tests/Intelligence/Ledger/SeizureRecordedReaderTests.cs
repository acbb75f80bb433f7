using Marten;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// The rebuild reads recordings, corrections and lab results with readers of only the fields the ledger folds
/// (<see cref="SeizureRecordedReader"/>): every stored seizure's events, folded from them, must give exactly the fact they
/// give when folded from the store's own deserialisation, after every event — recordings with and without circumstances,
/// own points, notes and distributions; corrections of facility, point, instant, quantity and circumstances; lab results.
/// </summary>
public sealed class SeizureRecordedReaderTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task events_read_by_the_rebuilds_readers_fold_to_the_same_facts_as_the_stores_deserialisation()
    {
        foreach (var seizure in RawSeizure.Varied(20, seed: 3)) await RecordAsync(seizure.Body);
        await PlacedLife.RecordAsync(Host);
        var rich = await RecordAsync(new
        {
            facilityId = "IK-47", occurredAt = "2014-12-31T23:30:00+06:00", substance = "cannabis-resin",
            quantity = new { value = 12.500m, unit = "kg" }, detection = "body-search", notes = "found \"in\" a shoe \u2014 ÿ",
            place = "visits", entry = "visitor", concealment = "on-body", possession = "visitor",
            location = new { lat = 40.5136, lon = 72.8161 }, handlingCode = "H1", distribution = new { scope = "own-agency" },
        });
        await ChangeAsync(rich.Id, "corrections", new { reason = "seen on the camera", entry = "staff", possession = "staff", detection = "cell-search" }, rich.Version);
        await RecordAsync(new
        {
            facilityId = "SIZO-1", occurredAt = "2015-07-01T08:00:00+06:00", substance = "tramadol",
            quantity = new { value = 30, unit = "tablet" }, detection = "cell-search", entry = "staff",
        });

        var serializer = Store.Options.Serializer();
        var converter = Host.Services.GetRequiredService<QuantityConverter>();
        var graph = (Marten.Events.EventGraph)Store.Options.Events;
        var types = new[] { typeof(SeizureRecorded), typeof(SeizureCorrected), typeof(LabAnalysisReported) }
            .ToDictionary(t => graph.EventMappingFor(t).EventTypeName);
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select stream_id, type, data::text from {Store.Options.DatabaseSchemaName}.mt_events where type = any($1) order by seq_id", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = types.Keys.ToArray() });
        var expected = new Dictionary<Guid, SeizureFact>();
        var actual = new Dictionary<Guid, SeizureFact>();
        var compared = new Dictionary<Type, int>();
        var withCircumstances = 0;
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var (id, type, json) = (reader.GetGuid(0), types[reader.GetString(1)], reader.GetString(2));
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                var stored = serializer.FromJson(type, new MemoryStream(bytes));
                object read = stored switch
                {
                    SeizureRecorded => SeizureRecordedReader.Read(bytes),
                    SeizureCorrected => SeizureRecordedReader.ReadCorrection(bytes),
                    _ => SeizureRecordedReader.ReadLabResult(bytes),
                };
                if (!expected.TryGetValue(id, out var e)) expected[id] = e = new SeizureFact { Id = id };
                if (!actual.TryGetValue(id, out var a)) actual[id] = a = new SeizureFact { Id = id };
                e.Apply(stored, converter);
                a.Apply(read, converter);
                serializer.ToJson(a).ShouldBe(serializer.ToJson(e), json);
                compared[type] = compared.GetValueOrDefault(type) + 1;
                if (a.Circumstances.Entry is not null) withCircumstances++;
            }

        compared[typeof(SeizureRecorded)].ShouldBe(20 + PlacedLifeRecordings + 2);
        compared[typeof(SeizureCorrected)].ShouldBe(PlacedLifeCorrections + 1);
        compared[typeof(LabAnalysisReported)].ShouldBe(1);
        withCircumstances.ShouldBeGreaterThanOrEqualTo(3);
    }

    /// <summary>The recordings and corrections <see cref="PlacedLife.RecordAsync"/> makes.</summary>
    private const int PlacedLifeRecordings = 11, PlacedLifeCorrections = 5;
}
