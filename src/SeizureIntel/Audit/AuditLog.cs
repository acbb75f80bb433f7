using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace SeizureIntel.Audit;

/// <summary>
/// One request as the audit records it: who, when (UTC), what, from where, and whether it was allowed; for a refused
/// sign-in (token endpoint, sign-in page) also why (<paramref name="Reason"/>: e.g. "invalid_client: ...", "wrong password").
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At, string User, string Roles, string Method, string Path, string? Query, int Status, string Outcome, string? Ip,
    string? Reason = null);

/// <summary>The audit's outcomes: allowed (answered), refused (401, 403, 404: not signed in, not permitted, or not there for this user), failed (any other error).</summary>
public static class AuditOutcomes
{
    public const string Allowed = "allowed";
    public const string Refused = "refused";
    public const string Failed = "failed";
    public static readonly string[] All = [Allowed, Refused, Failed];

    public static string Of(int status) => status switch
    {
        < 400 => Allowed,
        401 or 403 or 404 => Refused,
        _ => Failed,
    };
}

/// <summary>
/// The append-only audit stream (issue 12, point 3): a table <c>audit_log</c> in the node's schema that no one can change
/// — a trigger refuses every UPDATE, DELETE and TRUNCATE, and the runtime login's own UPDATE, DELETE and TRUNCATE
/// privileges on it are revoked — and that no endpoint changes (only <c>GET /api/audit</c> reads it). Requests are not
/// slowed by it: each answer only puts its entry on an in-memory channel, and one writer copies what has accumulated
/// into the table in batches (binary COPY). Entries still in the channel when the process is killed outright are lost
/// (a normal stop drains it).
/// </summary>
public sealed class AuditLog(NpgsqlDataSource dataSource, AuditSchema schema, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 1000;
    private readonly Channel<AuditEntry> _queue = Channel.CreateUnbounded<AuditEntry>(new UnboundedChannelOptions { SingleReader = true });
    private long _queued;
    private long _written;

    public string Table => $"{schema.Name}.audit_log";

    /// <summary>Puts an entry on the queue; never blocks the request.</summary>
    public void Record(AuditEntry entry)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(entry)) Interlocked.Increment(ref _written);
    }

    /// <summary>Waits until every entry queued before the call is in the table (so an auditor sees up to their own query).</summary>
    public async Task FlushAsync(CancellationToken token)
    {
        var target = Interlocked.Read(ref _queued);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Interlocked.Read(ref _written) < target && DateTime.UtcNow < deadline) await Task.Delay(5, token);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // A node on a runtime login (no schema changes) finds the table its owner login made.
        if (schema.Apply) await EnsureTableAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(MaxBatch);
        // Reading goes on after stop is requested until the channel is completed and drained.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry)) batch.Add(entry);
            try
            {
                await WriteAsync(batch);
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Count} audit entries could not be written; retrying", batch.Count);
                await Task.Delay(500, CancellationToken.None);
                continue; // keep the batch and try again
            }
            Interlocked.Add(ref _written, batch.Count);
            batch.Clear();
        }
    }

    private async Task WriteAsync(IReadOnlyList<AuditEntry> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY {Table} (at, user_name, roles, method, path, query, status, outcome, ip, reason) FROM STDIN (FORMAT BINARY)");
        foreach (var e in batch)
        {
            await import.StartRowAsync();
            await import.WriteAsync(e.At.UtcDateTime, NpgsqlDbType.TimestampTz);
            await import.WriteAsync(e.User, NpgsqlDbType.Text);
            await import.WriteAsync(e.Roles, NpgsqlDbType.Text);
            await import.WriteAsync(e.Method, NpgsqlDbType.Text);
            await import.WriteAsync(e.Path, NpgsqlDbType.Text);
            if (e.Query is null) await import.WriteNullAsync(); else await import.WriteAsync(e.Query, NpgsqlDbType.Text);
            await import.WriteAsync(e.Status, NpgsqlDbType.Integer);
            await import.WriteAsync(e.Outcome, NpgsqlDbType.Text);
            if (e.Ip is null) await import.WriteNullAsync(); else await import.WriteAsync(e.Ip, NpgsqlDbType.Text);
            if (e.Reason is null) await import.WriteNullAsync(); else await import.WriteAsync(e.Reason, NpgsqlDbType.Text);
        }
        await import.CompleteAsync();
    }

    private async Task EnsureTableAsync(CancellationToken token)
    {
        var s = schema.Name;
        await using var connection = await dataSource.OpenConnectionAsync(token);
        await using var tx = await connection.BeginTransactionAsync(token);
        await using var command = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock(hashtext('{s}.audit_log'));
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE IF NOT EXISTS {s}.audit_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                user_name text NOT NULL,
                roles text NOT NULL,
                method text NOT NULL,
                path text NOT NULL,
                query text,
                status integer NOT NULL,
                outcome text NOT NULL,
                ip text);
            -- Why a sign-in was refused (added after the first release: tables created before get the column here).
            ALTER TABLE {s}.audit_log ADD COLUMN IF NOT EXISTS reason text;
            CREATE INDEX IF NOT EXISTS audit_log_at ON {s}.audit_log (at);
            CREATE OR REPLACE FUNCTION {s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
            END $$;
            CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON {s}.audit_log
                FOR EACH ROW EXECUTE FUNCTION {s}.audit_log_append_only();
            CREATE OR REPLACE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON {s}.audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION {s}.audit_log_append_only();
            REVOKE UPDATE, DELETE, TRUNCATE ON {s}.audit_log FROM PUBLIC, CURRENT_USER;
            """, connection, tx);
        await command.ExecuteNonQueryAsync(token);
        await tx.CommitAsync(token);
    }
}

/// <summary>The schema the audit table lives in (the node's own); <paramref name="Apply"/>: create or update the table at start-up.</summary>
public sealed record AuditSchema(string Name, bool Apply = true);
