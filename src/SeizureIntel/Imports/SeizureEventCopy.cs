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
/// reference left blank (it is allocated when the row is written), kept as text: PostgreSQL parses each into jsonb once,
/// when it is moved.
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
               event text not null, snapshot text not null)
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
        var ej = WithBlankReference(serializer.ToJson(recorded));
        var sj = WithBlankReference(serializer.ToJson(snapshot));
        await copy.StartRowAsync(token);
        await copy.WriteAsync(row.Line, NpgsqlDbType.Integer, token);
        await copy.WriteAsync(row.Key, NpgsqlDbType.Text, token);
        await copy.WriteAsync(recorded.LocalDate.Year, NpgsqlDbType.Integer, token);
        await copy.WriteAsync(recorded.SeizureId, NpgsqlDbType.Uuid, token);
        await copy.WriteAsync(ej, NpgsqlDbType.Text, token);
        await copy.WriteAsync(sj, NpgsqlDbType.Text, token);
    }

    /// <summary>The blank reference as the serializer writes it: the one place the move fills in (<see cref="MoveAsync"/>).</summary>
    public const string BlankReference = "\"reference\":\"\"";

    /// <summary>
    /// The JSON as staged: it must hold the blank reference exactly once, at the top level (in a JSON string a quote is
    /// always escaped, so the text cannot occur inside a value). Anything else is a change of the event or snapshot
    /// that this path does not know, and stops the import before anything is written.
    /// </summary>
    public static string WithBlankReference(string json)
    {
        var at = json.IndexOf(BlankReference, StringComparison.Ordinal);
        if (at < 0 || json.IndexOf(BlankReference, at + 1, StringComparison.Ordinal) >= 0)
            throw new InvalidOperationException($"the serialised JSON must hold {BlankReference} exactly once: {json}");
        return json;
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
        // the batch's rows are read once (by the staging table's key); the statement sorts, numbers and joins narrow rows,
        // the JSON joins them only at its insert (wide rows spilled every sort to disk), and each document is parsed into
        // jsonb once, with its reference filled in; the batch (about 17 MB of JSON) stays in memory
        await using (var settings = new NpgsqlCommand("set local synchronous_commit = off; set local work_mem = '64MB'", connection))
            await settings.ExecuteNonQueryAsync(token);
        var staging = $"{schema}.{StagingTable(importId)}";
        await using var command = new NpgsqlCommand(
            $"""
             with batch as materialized (
               select line, key, year, seizure_id, event, snapshot from {staging}
               where line > @after order by line limit @count
             ), claimed as (
               insert into {schema}.{ImportStorage.KeysTable} (agency, key, import_id, line)
               select @agency, key, @import, line from batch
               on conflict (agency, key) do nothing
               returning line
             ), fresh as materialized (
               select b.line, b.year, b.seizure_id, row_number() over (partition by b.year order by b.line) as n
               from batch b join claimed c using (line)
             ), counts as materialized (
               select year, count(*)::int as taken from fresh group by year
             ), reserved as (
               insert into {schema}.{Seizures.References.ReferenceAllocator.TableName} as c (agency, year, last_value)
               select @agency, year, taken from counts
               on conflict (agency, year) do update set last_value = c.last_value + excluded.last_value
               returning year, last_value
             ), numbered as materialized (
               select f.line, f.seizure_id,
                 '"reference":' || to_json({Seizures.References.ReferenceAllocator.SqlFormat("@agency", "f.year", "r.last_value - k.taken + f.n")})::text as reference,
                 nextval('{schema}.mt_events_sequence') as seq
               from fresh f join reserved r using (year) join counts k using (year)
               order by f.line
             ), streams as (
               insert into {schema}.mt_streams (id, type, version, timestamp, created)
               select seizure_id, @stream_type, 1, @now, @now from numbered
             ), events as (
               insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
               select n.seq, gen_random_uuid(), n.seizure_id, 1,
                 overlay(s.event placing n.reference from strpos(s.event, @blank) for {BlankReference.Length})::jsonb,
                 @event_type, @now, @dotnet_type
               from numbered n join batch s using (line)
             ), docs as (
               insert into {docSchema}.mt_doc_seizure (id, data, mt_last_modified, mt_dotnet_type, mt_version)
               select n.seizure_id, overlay(s.snapshot placing n.reference from strpos(s.snapshot, @blank) for {BlankReference.Length})::jsonb,
                 @now, @doc_type, 1
               from numbered n join batch s using (line)
             )
             select (select count(*)::int from batch), (select count(*)::int from numbered), coalesce((select max(line) from batch), @after)
             """, connection);
        command.Parameters.AddWithValue("blank", BlankReference);
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
