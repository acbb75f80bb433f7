using System.Globalization;
using System.Text;
using Npgsql;
using SeizureIntel.Calendar;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Audit;

/// <summary>One audit entry as the auditor reads it: the time in Bishkek (with its offset) and in UTC as stored.</summary>
public sealed record AuditRow(
    long Id, DateTimeOffset At, DateTimeOffset AtUtc, string User, string Roles, string Method, string Path, string? Query,
    int Status, string Outcome, string? Ip, string? Reason);

public sealed record AuditPage(int Count, bool More, IReadOnlyList<AuditRow> Entries);

/// <summary>
/// The audit log for the <c>auditor</c> role (the access matrix): who read or tried what, when and from where, oldest
/// first. Nothing in the product changes it: this is its only route.
/// </summary>
public static class GetAuditEndpoint
{
    public const int MaxLimit = 10_000;

    /// <summary>
    /// Entries from <c>from</c> to <c>to</c> (ISO 8601 instants with an offset, or local dates in Bishkek, both inclusive),
    /// of one <c>user</c>, with one <c>outcome</c> (allowed, refused, failed); <c>limit</c> 1–10000 (default 1000);
    /// <c>format=csv</c> gives the same rows as CSV (UTF-8, times in Bishkek and UTC).
    /// </summary>
    [WolverineGet("/api/audit", OperationId = "getAudit")]
    public static async Task<IResult> Get(string? from, string? to, string? user, string? outcome, string? limit, string? format,
        AuditLog log, NpgsqlDataSource dataSource, CancellationToken token)
    {
        var problems = new Problems();
        var start = Bound(problems, "from", from, endOfDay: false);
        var end = Bound(problems, "to", to, endOfDay: true);
        var take = 1000;
        if (!string.IsNullOrWhiteSpace(limit) && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
            problems.Fail("limit", $"must be a whole number between 1 and {MaxLimit}");
        if (!string.IsNullOrWhiteSpace(outcome) && !AuditOutcomes.All.Contains(outcome))
            problems.Fail("outcome", $"must be one of {string.Join(", ", AuditOutcomes.All)}");
        if (!string.IsNullOrWhiteSpace(format) && format is not ("json" or "csv")) problems.Fail("format", "must be json or csv");
        if (problems.Any) return Results.Problem(problems.Invalid("Bad audit query"));

        // Everything answered before this query (this query's own entry comes after it) is in the table.
        await log.FlushAsync(token);

        await using var command = dataSource.CreateCommand($"""
            SELECT id, at, user_name, roles, method, path, query, status, outcome, ip, reason FROM {log.Table}
            WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at <= $2)
              AND ($3::text IS NULL OR user_name = $3) AND ($4::text IS NULL OR outcome = $4)
            ORDER BY id LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)start?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)end?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrWhiteSpace(user) ? DBNull.Value : user.Trim(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = string.IsNullOrWhiteSpace(outcome) ? DBNull.Value : outcome, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = take + 1 });
        var rows = new List<AuditRow>();
        await using (var reader = await command.ExecuteReaderAsync(token))
            while (await reader.ReadAsync(token))
            {
                var at = new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero);
                rows.Add(new AuditRow(reader.GetInt64(0), LocalCalendar.ToLocal(at), at, reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt32(7),
                    reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
            }
        var more = rows.Count > take;
        if (more) rows.RemoveAt(rows.Count - 1);
        return format == "csv"
            ? Results.Text(Csv(rows), "text/csv; charset=utf-8", Encoding.UTF8)
            : Results.Ok(new AuditPage(rows.Count, more, rows));
    }

    private static DateTimeOffset? Bound(Problems problems, string field, string? text, bool endOfDay)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var local = date.ToDateTime(endOfDay ? TimeOnly.MaxValue : TimeOnly.MinValue);
            var offset = LocalCalendar.Zone().GetUtcOffset(local);
            // The first and last days of the calendar in Bishkek reach outside it in UTC (DateTimeOffset would throw).
            if (local.Ticks - offset.Ticks < DateTime.MinValue.Ticks || local.Ticks - offset.Ticks > DateTime.MaxValue.Ticks)
            {
                problems.Fail(field, "is outside the dates the node can compare (use a date between 0002-01-01 and 9999-12-30)");
                return null;
            }
            return new DateTimeOffset(local, offset);
        }
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) &&
            (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T')))
            return instant;
        problems.Fail(field, "must be an ISO 8601 date-time with an offset or Z, or a date (yyyy-MM-dd, in Bishkek)");
        return null;
    }

    public const string CsvHeader = "id,at_bishkek,at_utc,user,roles,method,path,query,status,outcome,ip,reason";

    public static string Csv(IEnumerable<AuditRow> rows)
    {
        var csv = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows)
            csv.AppendJoin(',', r.Id.ToString(CultureInfo.InvariantCulture), r.At.ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                r.AtUtc.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), Field(r.User), Field(r.Roles), r.Method,
                Field(r.Path), Field(r.Query), r.Status.ToString(CultureInfo.InvariantCulture), r.Outcome, Field(r.Ip), Field(r.Reason)).Append('\n');
        return csv.ToString();
    }

    private static string Field(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? '"' + value.Replace("\"", "\"\"") + '"' : value;
}
