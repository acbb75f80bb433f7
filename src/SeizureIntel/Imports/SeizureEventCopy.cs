using Marten;
using Npgsql;
using NpgsqlTypes;
using SeizureIntel.Identity;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Imports;

/// <summary>
/// The write path of an import, in two steps that each touch a row once.
/// <para>
/// Staging (pass 1, while the rows are checked): every valid row goes by one binary COPY into the import's own
/// staging table (unlogged, named after the import): its line, its key, the local year of its reference, the new
/// seizure's id, and its first event and inline snapshot already serialised by Marten's serializer, only the
/// reference left blank (it is allocated when the row is written).
/// </para>
/// <para>
/// Moving (pass 2): one statement per batch, in the batch's transaction, moves the next rows from staging into the
/// store: the rows' keys claimed (rows imported before are skipped), their references reserved per local year on the
/// counter row (gapless, in line order), their streams, events (sequence numbers from Marten's event sequence) and
/// snapshots inserted with the reference filled in. The async daemon picks the events up by sequence as it does any
/// others. The staging table is dropped when the import ends.
/// </para>
/// </summary>
public static class SeizureEventCopy
{
    public static string StagingTable(Guid importId) => $"seizure_import_rows_{importId:N}";

    private static string Schema(IDocumentStore store) => store.Options.Events.DatabaseSchemaName;

    /// <summary>Creates the import's staging table afresh (dropping what a stopped run left).</summary>
    public static async Task CreateStagingAsync(IDocumentStore store, NpgsqlConnection connection, Guid importId, CancellationToken token)
    {
        var table = $"{Schema(store)}.{StagingTable(importId)}";
        await using var command = new NpgsqlCommand(
            $"""
             drop table if exists {table};
             create unlogged table {table} (line int primary key, key text not null, year int not null, seizure_id uuid not null,
               event jsonb not null, snapshot jsonb not null)
             """, connection);
        await command.ExecuteNonQueryAsync(token);
    }

    public static async Task DropStagingAsync(IDocumentStore store, NpgsqlDataSource data, Guid importId, CancellationToken token)
    {
        await using var connection = await data.OpenConnectionAsync(token);
        await using var command = new NpgsqlCommand($"drop table if exists {Schema(store)}.{StagingTable(importId)}", connection);
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>The rows staged for the import, or null when its staging table is gone (a PostgreSQL crash empties an unlogged table too).</summary>
    public static async Task<long?> StagedAsync(IDocumentStore store, NpgsqlDataSource data, Guid importId, CancellationToken token)
    {
        await using var connection = await data.OpenConnectionAsync(token);
        await using var command = new NpgsqlCommand(
            $"select case when to_regclass(@table) is null then null else 1 end", connection);
        command.Parameters.AddWithValue("table", $"{Schema(store)}.{StagingTable(importId)}");
        if (await command.ExecuteScalarAsync(token) is not int) return null;
        await using var count = new NpgsqlCommand($"select count(*) from {Schema(store)}.{StagingTable(importId)}", connection);
        return (long)(await count.ExecuteScalarAsync(token))!;
    }

    /// <summary>Starts the COPY into the staging table; the caller writes rows with <see cref="StageAsync"/> and completes it.</summary>
    public static Task<NpgsqlBinaryImporter> BeginStagingAsync(IDocumentStore store, NpgsqlConnection connection, Guid importId, CancellationToken token) =>
        connection.BeginBinaryImportAsync(
            $"copy {Schema(store)}.{StagingTable(importId)} (line, key, year, seizure_id, event, snapshot) from stdin (format binary)", token);

    /// <summary>
    /// One valid row into staging: its first event and snapshot serialised as Marten stores them, with a blank reference.
    /// </summary>
    public static async Task StageAsync(NpgsqlBinaryImporter copy, ISerializer serializer, ValidRow row, Actor actor, ImportedFrom from,
        DateTimeOffset now, CancellationToken token)
    {
        var recorded = SeizureRules.Recorded(Guid.CreateVersion7(now), row.Seizure, "", actor, now, importedFrom: from);
        var snapshot = Seizure.Create(recorded);
        snapshot.Version = 1;
        var ej = serializer.ToJson(recorded);
        var sj = serializer.ToJson(snapshot);
        await copy.StartRowAsync(token);
        await copy.WriteAsync(row.Line, NpgsqlDbType.Integer, token);
        await copy.WriteAsync(row.Key, NpgsqlDbType.Text, token);
        await copy.WriteAsync(recorded.LocalDate.Year, NpgsqlDbType.Integer, token);
        await copy.WriteAsync(recorded.SeizureId, NpgsqlDbType.Uuid, token);
        await copy.WriteAsync(ej, NpgsqlDbType.Jsonb, token);
        await copy.WriteAsync(sj, NpgsqlDbType.Jsonb, token);
    }

    /// <summary>What a batch did: rows taken from staging, of which new (written), and the last line taken.</summary>
    public sealed record Moved(int Rows, int Fresh, int LastLine);

    /// <summary>
    /// Moves the next staged rows after a line into the store, in the session's transaction (begun here): keys claimed,
    /// references reserved and filled in, streams, events and snapshots inserted, all in one statement.
    /// </summary>
    public static async Task<Moved> MoveAsync(IDocumentSession session, Guid importId, string agency, int afterLine, int count, DateTimeOffset now,
        CancellationToken token)
    {
        var options = session.DocumentStore.Options;
        var graph = (Marten.Events.EventGraph)options.Events;
        var mapping = graph.EventMappingFor(typeof(SeizureRecorded));
        var schema = options.Events.DatabaseSchemaName;
        var docSchema = options.DatabaseSchemaName;
        await session.BeginTransactionAsync(token);
        var connection = (NpgsqlConnection)session.Connection!;
        // the WAL of a batch is flushed by the import's final (synchronous) commit, or lost with the batch's progress in a crash
        await using (var relaxed = new NpgsqlCommand("set local synchronous_commit = off", connection))
            await relaxed.ExecuteNonQueryAsync(token);
        await using var command = new NpgsqlCommand(
            $"""
             with batch as materialized (
               select line, key, year, seizure_id, event, snapshot from {schema}.{StagingTable(importId)}
               where line > @after order by line limit @count
             ), claimed as (
               insert into {schema}.{ImportStorage.KeysTable} (agency, key, import_id, line)
               select @agency, key, @import, line from batch
               on conflict (agency, key) do nothing
               returning line
             ), fresh as materialized (
               select b.*, row_number() over (partition by b.year order by b.line) as n from batch b join claimed c using (line)
             ), counts as materialized (
               select year, count(*)::int as taken from fresh group by year
             ), reserved as (
               insert into {schema}.{Seizures.References.ReferenceAllocator.TableName} as c (agency, year, last_value)
               select @agency, year, taken from counts
               on conflict (agency, year) do update set last_value = c.last_value + excluded.last_value
               returning year, last_value
             ), numbered as materialized (
               select f.line, f.seizure_id, f.event, f.snapshot,
                 {Seizures.References.ReferenceAllocator.SqlFormat("@agency", "f.year", "r.last_value - k.taken + f.n")} as reference,
                 nextval('{schema}.mt_events_sequence') as seq
               from fresh f join reserved r using (year) join counts k using (year)
               order by f.line
             ), streams as (
               insert into {schema}.mt_streams (id, type, version, timestamp, created)
               select seizure_id, @stream_type, 1, @now, @now from numbered
             ), events as (
               insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
               select seq, gen_random_uuid(), seizure_id, 1, event || jsonb_build_object('reference', reference), @event_type, @now, @dotnet_type
               from numbered
             ), docs as (
               insert into {docSchema}.mt_doc_seizure (id, data, mt_last_modified, mt_dotnet_type, mt_version)
               select seizure_id, snapshot || jsonb_build_object('reference', reference), @now, @doc_type, 1 from numbered
             )
             select (select count(*)::int from batch), (select count(*)::int from numbered), coalesce((select max(line) from batch), @after)
             """, connection);
        command.Parameters.AddWithValue("after", afterLine);
        command.Parameters.AddWithValue("count", count);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("import", importId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("stream_type", graph.AggregateAliasFor(typeof(Seizure)));
        command.Parameters.AddWithValue("event_type", mapping.EventTypeName);
        command.Parameters.AddWithValue("dotnet_type", mapping.DotNetTypeName);
        command.Parameters.AddWithValue("doc_type", typeof(Seizure).FullName!);
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);
        return new Moved(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
    }
}
