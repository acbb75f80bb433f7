using Npgsql;

namespace SeizureIntel.Node;

/// <summary>
/// The first step of a start (issue 12, point 6): a node whose store has not been applied yet, on a login that may not
/// apply it (a runtime login, or any login with <see cref="NodeOptions.SchemaChecksAtStart"/> off), stops at once and
/// says what to do — rather than half-starting and failing request by request, or deep inside a schema migration.
/// </summary>
public sealed class SchemaPresence(NodeOptions node, NpgsqlDataSource dataSource) : IHostedLifecycleService
{
    /// <summary>Before any hosted service starts (Wolverine's and Marten's start-up apply the schema in theirs).</summary>
    public async Task StartingAsync(CancellationToken token)
    {
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var command = new NpgsqlCommand(
            "select current_user::text, to_regclass($1) is not null, to_regnamespace($2) is not null, " +
            "has_database_privilege(current_database(), 'CREATE'), " +
            "coalesce((select has_schema_privilege(n.oid, 'CREATE') from pg_namespace n where n.nspname = $2), false)", connection);
        command.Parameters.AddWithValue($"{node.Schema}.mt_events");
        command.Parameters.AddWithValue(node.Schema);
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);
        var (login, applied, schemaExists, mayCreateSchema, mayCreateInSchema) =
            (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4));
        if (applied) return;
        if (!node.SchemaChecksAtStart)
            throw new InvalidOperationException(Problem(node.Schema, login, $"SeizureIntel:SchemaChecksAtStart is false, so this start would not create it"));
        if (schemaExists ? !mayCreateInSchema : !mayCreateSchema)
            throw new InvalidOperationException(Problem(node.Schema, login,
                $"the login {login} may not create it (a runtime login: data access only)"));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Problem(string schema, string login, string why) =>
        $"The node's store (schema {schema}) has not been applied yet, and {why}. Apply it with the owner login first: " +
        "either set SeizureIntel:OwnerConnectionString to the owner login's connection string (the node applies the schema with it, " +
        $"grants {login} data access, then runs on SeizureIntel:ConnectionString), or run `SeizureIntel schema apply` with " +
        $"SeizureIntel:ConnectionString the owner's and SeizureIntel:RuntimeLogin={login} (README, \"Secrets and least privilege\").";
}

public static class SchemaPresenceSetup
{
    /// <summary>
    /// Registered last and put first among the hosted services (some insert themselves at the front), and checking in
    /// <see cref="IHostedLifecycleService.StartingAsync"/>: nothing else starts on a store that is not there.
    /// </summary>
    public static void AddSchemaPresence(this WebApplicationBuilder builder) =>
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, SchemaPresence>());
}
