using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Sharing;

namespace SeizureIntel.Node;

/// <summary>
/// Least privilege in the database (issue 12, point 6). A node's schemas belong to an owner login, which applies every
/// schema change (Marten, Wolverine's envelope and queue tables, the audit table, the identity tables and keys, the hot
/// spot triggers) on a start with <see cref="NodeOptions.RuntimeLogin"/> set; then, as the last step of that start, it
/// grants the runtime login — the one the node serves requests with — data access only:
/// <list type="bullet">
/// <item>the node's schema and its identity schema: USAGE; SELECT, INSERT, UPDATE, DELETE, TRUNCATE on every table;
/// sequences; EXECUTE on functions. No CREATE on any schema, no ownership: it can neither create, alter nor drop.</item>
/// <item>the audit table: SELECT and INSERT only (UPDATE, DELETE, TRUNCATE revoked; its trigger refuses them anyway).</item>
/// <item>tables made later by the owner (a blue/green read-model rebuild): the same, by default privileges.</item>
/// <item>PostgreSQL queues, per channel: on its own inboxes (<c>&lt;prefix&gt;_&lt;me&gt;_from_&lt;partner&gt;</c> and their
/// <c>_scheduled</c> tables) read, lock and delete; on each partner's inbox from this node insert only. Row-level security
/// narrows what Wolverine's statements need to exactly that (see the comments in the code). Nothing on any other queue. The queue tables go to the queue schema's owner role
/// (<c>seizureintel_exchange</c> under ops/postgres), so that each node's owner login can grant on the tables the
/// other node's start created.</item>
/// </list>
/// </summary>
public sealed class RuntimeGrants(NodeOptions node, NpgsqlDataSource dataSource, IServiceProvider services, ILogger<RuntimeGrants> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken token)
    {
        var runtime = node.RuntimeLogin!;
        // Created lazily elsewhere (first hot spot request, first token): made here, by the owner, before the runtime needs them.
        services.GetService<NodeKeys>();
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await ExecuteAsync(connection, HotspotIndex.Ddl(node.Schema), token);
        await ExecuteAsync(connection, Sql(node, runtime), token);
        if (node.Sharing.Enabled && node.Sharing.Transport == SharingOptions.Postgresql)
            await ExecuteAsync(connection, await QueueSqlAsync(connection, node, runtime, token), token);
        logger.LogInformation("Granted the runtime login {Runtime} data access to {Schema} (no schema changes)", runtime, node.Schema);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    /// <summary>The grants on the node's own schemas.</summary>
    public static string Sql(NodeOptions node, string runtime)
    {
        var r = Quote(runtime);
        var schemas = $"{node.Schema}, {IdentitySchema.Of(node.Schema).Name}";
        return $"""
                GRANT USAGE ON SCHEMA {schemas} TO {r};
                REVOKE CREATE ON SCHEMA {schemas} FROM {r};
                GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schemas} TO {r};
                GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schemas} TO {r};
                GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schemas} TO {r};
                ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {r};
                ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r};
                ALTER DEFAULT PRIVILEGES IN SCHEMA {schemas} GRANT EXECUTE ON FUNCTIONS TO {r};
                REVOKE UPDATE, DELETE, TRUNCATE ON {node.Schema}.audit_log FROM {r};
                """;
    }

    /// <summary>The queue tables to the queue schema's owner (when this login may hand them over), then the channel grants.</summary>
    private static async Task<string> QueueSqlAsync(NpgsqlConnection connection, NodeOptions node, string runtime, CancellationToken token)
    {
        var q = node.Sharing.QueueSchema;
        var r = Quote(runtime);
        var sql = new System.Text.StringBuilder();
        string? owner;
        await using (var command = new NpgsqlCommand(
                         "select n.nspowner::regrole::text from pg_namespace n where n.nspname = $1 and n.nspowner::regrole::text <> current_user " +
                         "and pg_has_role(current_user, n.nspowner, 'MEMBER')", connection))
        {
            command.Parameters.AddWithValue(q);
            owner = await command.ExecuteScalarAsync(token) as string;
        }
        if (owner is not null)
        {
            await using var mine = new NpgsqlCommand(
                "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
                "where n.nspname = $1 and c.relkind = 'r' and c.relowner = (select oid from pg_roles where rolname = current_user)", connection);
            mine.Parameters.AddWithValue(q);
            await using var reader = await mine.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) sql.AppendLine($"ALTER TABLE {q}.{Quote(reader.GetString(0))} OWNER TO {owner};");
        }
        sql.AppendLine($"GRANT USAGE ON SCHEMA {q} TO {r};");
        foreach (var partner in node.Sharing.Partners.Select(p => p.Agency.ToUpperInvariant()))
        {
            var inbox = $"{q}.wolverine_queue_{node.Sharing.InboxOf(node.Agency, partner)}";
            var outbox = $"{q}.wolverine_queue_{node.Sharing.InboxOf(partner, node.Agency)}";
            // Receiving: the listener takes a batch (SELECT … FOR UPDATE SKIP LOCKED, DELETE … RETURNING) and, in the same
            // poll, moves due scheduled messages into the queue (INSERT INTO inbox SELECT … FROM moved): the statement needs
            // INSERT on the inbox, but no row may come from this login — its row policies allow reading, locking and
            // deleting, and no inserting (nothing is ever scheduled on these channels, so nothing is refused).
            sql.AppendLine($"GRANT SELECT, INSERT, UPDATE, DELETE ON {inbox} TO {r};");
            sql.AppendLine($"GRANT SELECT, UPDATE, DELETE ON {inbox}_scheduled TO {r};");
            // Sending: WITH moved AS (DELETE FROM own outgoing … RETURNING …) INSERT INTO partner's inbox … ON CONFLICT (id)
            // DO NOTHING: INSERT, and SELECT on the id column for the conflict check (which also makes PostgreSQL apply the
            // SELECT policies to the new row, so it has one). It can see the ids waiting in that inbox — only ever its own
            // messages, this being the channel from it — and neither their content nor change or empty it.
            sql.AppendLine($"GRANT INSERT, SELECT (id) ON {outbox} TO {r};");
            foreach (var table in new[] { inbox, outbox }) sql.AppendLine($"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;");
            foreach (var command in new[] { "SELECT", "UPDATE", "DELETE" })
            {
                var policy = Quote($"{runtime}_receives_{command.ToLowerInvariant()}");
                sql.AppendLine($"DROP POLICY IF EXISTS {policy} ON {inbox};");
                sql.AppendLine($"CREATE POLICY {policy} ON {inbox} FOR {command} TO {r} USING (true);");
            }
            var sends = Quote($"{runtime}_sends");
            sql.AppendLine($"DROP POLICY IF EXISTS {sends} ON {outbox};");
            sql.AppendLine($"CREATE POLICY {sends} ON {outbox} FOR INSERT TO {r} WITH CHECK (true);");
            var ids = Quote($"{runtime}_sends_ids");
            sql.AppendLine($"DROP POLICY IF EXISTS {ids} ON {outbox};");
            sql.AppendLine($"CREATE POLICY {ids} ON {outbox} FOR SELECT TO {r} USING (true);");
        }
        return sql.ToString();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(token);
    }
}

public static class RuntimeGrantsSetup
{
    /// <summary>Registered last, so it runs after every other start-up step has changed the schema.</summary>
    public static void AddRuntimeGrants(this WebApplicationBuilder builder, NodeOptions node)
    {
        if (string.IsNullOrWhiteSpace(node.RuntimeLogin)) return;
        if (!node.SchemaChecksAtStart)
            throw new InvalidOperationException("SeizureIntel:RuntimeLogin is for the owner login's start, which applies the schema: SchemaChecksAtStart must be true.");
        builder.Services.AddHostedService<RuntimeGrants>();
    }
}
