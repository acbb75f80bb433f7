using Marten;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// The rebuild reads recordings with a reader of only the fields the ledger folds (<see cref="SeizureRecordedReader"/>):
/// every stored recording, folded from it, must give exactly the fact it gives when folded from the store's own
/// deserialisation, for recordings with and without circumstances, own points, oblasts, notes and distributions.
/// </summary>
public sealed class SeizureRecordedReaderTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task a_recording_read_by_the_rebuilds_reader_folds_to_the_same_fact_as_the_stores_deserialisation()
    {
        foreach (var seizure in RawSeizure.Varied(20, seed: 3)) await RecordAsync(seizure.Body);
        await PlacedLife.RecordAsync(Host);
        await RecordAsync(new
        {
            facilityId = "IK-47", occurredAt = "2014-12-31T23:30:00+06:00", substance = "cannabis-resin",
            quantity = new { value = 12.500m, unit = "kg" }, detection = "body-search", notes = "found \"in\" a shoe \u2014 ÿ",
            place = "visits", entry = "visitor", concealment = "on-body", possession = "visitor",
            location = new { lat = 40.5136, lon = 72.8161 }, handlingCode = "H1", distribution = new { scope = "own-agency" },
        });
        await RecordAsync(new
        {
            facilityId = "SIZO-1", occurredAt = "2015-07-01T08:00:00+06:00", substance = "tramadol",
            quantity = new { value = 30, unit = "tablet" }, detection = "cell-search", entry = "staff",
        });

        var serializer = Store.Options.Serializer();
        var converter = Host.Services.GetRequiredService<QuantityConverter>();
        var alias = ((Marten.Events.EventGraph)Store.Options.Events).EventMappingFor(typeof(SeizureRecorded)).EventTypeName;
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select stream_id, data::text from {Store.Options.DatabaseSchemaName}.mt_events where type = $1 order by seq_id", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = alias });
        var compared = 0;
        var withCircumstances = 0;
        var withPoints = 0;
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                var (id, json) = (reader.GetGuid(0), reader.GetString(1));
                var stored = serializer.FromJson<SeizureRecorded>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
                var read = SeizureRecordedReader.Read(System.Text.Encoding.UTF8.GetBytes(json));
                var expected = new SeizureFact { Id = id };
                expected.Apply(stored, converter);
                var actual = new SeizureFact { Id = id };
                actual.Apply(read, converter);
                serializer.ToJson(actual).ShouldBe(serializer.ToJson(expected), json);
                compared++;
                if (stored.Circumstances is { Entry: not null }) withCircumstances++;
                if (stored.Location is not null) withPoints++;
            }

        compared.ShouldBe(20 + PlacedLifeRecordings + 2);
        withCircumstances.ShouldBeGreaterThanOrEqualTo(2);
        withPoints.ShouldBeGreaterThan(3);
    }

    /// <summary>The recordings <see cref="PlacedLife.RecordAsync"/> makes (its other events are corrections, voids and lab results).</summary>
    private const int PlacedLifeRecordings = 11;
}
