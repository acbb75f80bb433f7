using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using Marten;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Seizures.Recording;

/// <summary>The first answer to a POST that carried an Idempotency-Key, kept so a retry gets it again.</summary>
public sealed class IdempotentPost
{
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public Guid SeizureId { get; set; }
    public string Reference { get; set; } = "";
    public long Version { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>
/// Honours the <c>Idempotency-Key</c> header of POST /api/seizures. The key is locked (a transaction-scoped
/// advisory lock) before it is looked up, so two simultaneous retries queue and the second sees the first's answer;
/// the answer is stored in the same transaction as the seizure's first event.
/// </summary>
public static class IdempotentPosts
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 200;

    private static string? KeyOf(HttpContext context) =>
        context.Request.Headers.TryGetValue(Header, out var values) && !string.IsNullOrWhiteSpace(values.ToString())
            ? values.ToString().Trim()
            : null;

    private static string DocumentId(NodeIdentity node, string key) => $"{node.Agency}:{key}";

    private static string Hash(RecordSeizure command) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command)));

    /// <summary>The stored answer for a repeated key, a refusal for a misused key, or null to go on and record.</summary>
    public static async Task<IResult?> ReplayAsync(HttpContext context, NodeIdentity node, RecordSeizure command,
        IDocumentSession session, CancellationToken token)
    {
        if (KeyOf(context) is not { } key) return null;
        if (key.Length > MaxKeyLength)
            return Results.Problem(Problems.Invalid(Header, $"must be at most {MaxKeyLength} characters", SeizureRules.RefusedTitle));

        var id = DocumentId(node, key);
        await session.BeginTransactionAsync(token);
        await using (var command1 = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended(@key, 0))", session.Connection))
        {
            command1.Parameters.AddWithValue("key", "seizureintel:idempotency:" + id);
            await command1.ExecuteNonQueryAsync(token);
        }

        var first = await session.LoadAsync<IdempotentPost>(id, token);
        if (first is null) return null;
        if (first.RequestHash != Hash(command))
            return Results.Problem(Problems.Refused(Header,
                "was already used for a different request; use a new key for a new seizure", SeizureRules.RefusedTitle));

        context.Response.Headers.Location = $"/api/seizures/{first.SeizureId}";
        context.Response.Headers[Header] = key;
        return Results.Json(new SeizureCreated(first.SeizureId, first.Reference, first.Version), statusCode: StatusCodes.Status201Created);
    }

    public static void Remember(HttpContext context, NodeIdentity node, RecordSeizure command, SeizureCreated created,
        IDocumentSession session, DateTimeOffset now)
    {
        if (KeyOf(context) is not { } key) return;
        session.Insert(new IdempotentPost
        {
            Id = DocumentId(node, key), RequestHash = Hash(command), SeizureId = created.Id, Reference = created.Reference,
            Version = created.Version, At = now,
        });
    }
}
