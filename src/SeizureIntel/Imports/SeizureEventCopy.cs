using Marten;
using Npgsql;
using NpgsqlTypes;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Imports;

/// <summary>
/// Writes a batch of new seizure streams by binary COPY in the session's open transaction: their sequence numbers taken
/// from Marten's event sequence in one statement, then the streams, their first events and their inline snapshots
/// (the Seizure document, as the inline projection would write it at version 1) each in one COPY. What Marten's rich
/// append does row by row (a function call per stream, an upsert per snapshot) becomes three streams of rows. The
/// async daemon picks the events up by sequence as it does any others; nothing is written outside the transaction.
/// </summary>
public static class SeizureEventCopy
{
    public static async Task WriteAsync(IDocumentSession session, IReadOnlyList<SeizureRecorded> events, DateTimeOffset now, CancellationToken token)
    {
        if (events.Count == 0) return;
        var options = session.DocumentStore.Options;
        var graph = (Marten.Events.EventGraph)options.Events;
        var mapping = graph.EventMappingFor(typeof(SeizureRecorded));
        var streamType = graph.AggregateAliasFor(typeof(Seizure));
        var serializer = options.Serializer();
        var schema = options.Events.DatabaseSchemaName;
        var docSchema = options.DatabaseSchemaName;
        var connection = (NpgsqlConnection)session.Connection!;

        var sequence = new long[events.Count];
        await using (var next = new NpgsqlCommand($"select nextval('{schema}.mt_events_sequence') from generate_series(1, @n)", connection))
        {
            next.Parameters.AddWithValue("n", events.Count);
            await using var reader = await next.ExecuteReaderAsync(token);
            for (var i = 0; await reader.ReadAsync(token); i++) sequence[i] = reader.GetInt64(0);
        }
        Array.Sort(sequence);

        await using (var streams = await connection.BeginBinaryImportAsync(
                         $"copy {schema}.mt_streams (id, type, version, timestamp, created) from stdin (format binary)", token))
        {
            foreach (var e in events)
            {
                await streams.StartRowAsync(token);
                await streams.WriteAsync(e.SeizureId, NpgsqlDbType.Uuid, token);
                await streams.WriteAsync(streamType, NpgsqlDbType.Varchar, token);
                await streams.WriteAsync(1L, NpgsqlDbType.Bigint, token);
                await streams.WriteAsync(now, NpgsqlDbType.TimestampTz, token);
                await streams.WriteAsync(now, NpgsqlDbType.TimestampTz, token);
            }
            await streams.CompleteAsync(token);
        }

        await using (var rows = await connection.BeginBinaryImportAsync(
                         $"copy {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) from stdin (format binary)", token))
        {
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                await rows.StartRowAsync(token);
                await rows.WriteAsync(sequence[i], NpgsqlDbType.Bigint, token);
                await rows.WriteAsync(Guid.CreateVersion7(now), NpgsqlDbType.Uuid, token);
                await rows.WriteAsync(e.SeizureId, NpgsqlDbType.Uuid, token);
                await rows.WriteAsync(1L, NpgsqlDbType.Bigint, token);
                await rows.WriteAsync(serializer.ToJson(e), NpgsqlDbType.Jsonb, token);
                await rows.WriteAsync(mapping.EventTypeName, NpgsqlDbType.Varchar, token);
                await rows.WriteAsync(now, NpgsqlDbType.TimestampTz, token);
                await rows.WriteAsync(mapping.DotNetTypeName, NpgsqlDbType.Varchar, token);
            }
            await rows.CompleteAsync(token);
        }

        await using (var docs = await connection.BeginBinaryImportAsync(
                         $"copy {docSchema}.mt_doc_seizure (id, data, mt_last_modified, mt_dotnet_type, mt_version) from stdin (format binary)", token))
        {
            foreach (var e in events)
            {
                var snapshot = Seizure.Create(e);
                snapshot.Version = 1;
                await docs.StartRowAsync(token);
                await docs.WriteAsync(e.SeizureId, NpgsqlDbType.Uuid, token);
                await docs.WriteAsync(serializer.ToJson(snapshot), NpgsqlDbType.Jsonb, token);
                await docs.WriteAsync(now, NpgsqlDbType.TimestampTz, token);
                await docs.WriteAsync(typeof(Seizure).FullName!, NpgsqlDbType.Varchar, token);
                await docs.WriteAsync(1L, NpgsqlDbType.Bigint, token);
            }
            await docs.CompleteAsync(token);
        }
    }
}
