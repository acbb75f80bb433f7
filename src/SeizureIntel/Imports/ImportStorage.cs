using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace SeizureIntel.Imports;

/// <summary>
/// The two tables of imports beside Marten's: the uploaded files (kept so that an interrupted import can resume after a
/// restart) and the keys of imported rows (agency + the row's reference or content hash → import and line), which make a
/// re-import write nothing twice. Keys are inserted in the transaction of the batch that records the seizures.
/// </summary>
public static class ImportStorage
{
    public const string FilesTable = "seizure_import_files";
    public const string KeysTable = "seizure_import_keys";

    public static Table Files(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, FilesTable, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("import_id").AsPrimaryKey();
        table.AddColumn("content", "bytea").NotNull();
        return table;
    }

    public static Table Keys(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, KeysTable, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("agency").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<Guid>("import_id").NotNull();
        table.AddColumn<int>("line").NotNull();
        return table;
    }

    private static string Schema(IDocumentStore store) => store.Options.Events.DatabaseSchemaName;

    public static async Task SaveFileAsync(IDocumentSession session, Guid importId, Stream content, CancellationToken token)
    {
        await session.BeginTransactionAsync(token);
        await using var command = new NpgsqlCommand(
            $"insert into {Schema(session.DocumentStore)}.{FilesTable} (import_id, content) values (@id, @content)", session.Connection);
        command.Parameters.AddWithValue("id", importId);
        command.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Bytea) { Value = content });
        await command.ExecuteNonQueryAsync(token);
    }

    /// <summary>Copies the stored file to a temporary file (deleted on close) for reading in passes.</summary>
    public static async Task<FileStream?> OpenFileAsync(IDocumentStore store, NpgsqlDataSource data, Guid importId, CancellationToken token)
    {
        await using var connection = await data.OpenConnectionAsync(token);
        await using var command = new NpgsqlCommand($"select content from {Schema(store)}.{FilesTable} where import_id = @id", connection);
        command.Parameters.AddWithValue("id", importId);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, token);
        if (!await reader.ReadAsync(token)) return null;
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await using (var content = await reader.GetStreamAsync(0, token)) await content.CopyToAsync(file, token);
        file.Position = 0;
        return file;
    }

    /// <summary>
    /// Claims the keys of a batch in the session's transaction; returns the keys that were new (the others were
    /// imported before, by this or another import, and are not written again).
    /// </summary>
    public static async Task<HashSet<string>> ClaimKeysAsync(IDocumentSession session, string agency, IReadOnlyList<(string Key, int Line)> keys,
        Guid importId, CancellationToken token)
    {
        await session.BeginTransactionAsync(token);
        await using var command = new NpgsqlCommand(
            $"""
             insert into {Schema(session.DocumentStore)}.{KeysTable} (agency, key, import_id, line)
             select @agency, k, @import, l from unnest(@keys, @lines) as t(k, l)
             on conflict (agency, key) do nothing
             returning key
             """, session.Connection);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("import", importId);
        command.Parameters.AddWithValue("keys", keys.Select(k => k.Key).ToArray());
        command.Parameters.AddWithValue("lines", keys.Select(k => k.Line).ToArray());
        var claimed = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) claimed.Add(reader.GetString(0));
        return claimed;
    }
}
