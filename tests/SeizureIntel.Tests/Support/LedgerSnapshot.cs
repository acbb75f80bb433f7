using System.Text.Json;
using Npgsql;
using SeizureIntel.Intelligence.Spatial;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// Every read model the ledger projection owns, as stored, for exact comparisons: each document (id and JSON), and
/// every row of the PostGIS seizure-locations table (<see cref="Locations"/>).
/// </summary>
public static class LedgerSnapshot
{
    private static readonly string[] Tables =
        ["mt_doc_seizurefact", "mt_doc_facilitysummary", "mt_doc_facilityyearsummary", "mt_doc_yearsummary", "mt_doc_monthlybucket",
            "mt_doc_monthlyrollup"];

    /// <summary>The snapshot's key for the seizure-locations table's rows.</summary>
    public const string Locations = SeizureLocations.TableName;

    public static async Task<Dictionary<string, List<string>>> TakeAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
            snapshot[table] = await RowsAsync(connection, $"select id::text || ' ' || data::text from {schema}.{table} order by id");
        snapshot[Locations] = await LocationRowsAsync(connection, schema);
        return snapshot;
    }

    /// <summary>The seizure-locations table alone, in the same text form as in <see cref="TakeAsync"/>.</summary>
    public static async Task<List<string>> LocationsAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        return await LocationRowsAsync(connection, schema);
    }

    /// <summary>
    /// One line per row, ordered by seizure id: the id, the point as EWKT (SRID and the coordinates as stored, longitude
    /// first), then every other column as a JSON object (keys in jsonb's fixed order, numerics with their scale, instants
    /// in UTC, nulls as null). Taking the columns from the row itself means a column added later is compared too.
    /// </summary>
    private static async Task<List<string>> LocationRowsAsync(NpgsqlConnection connection, string schema)
    {
        await using (var utc = new NpgsqlCommand("set time zone 'UTC'", connection)) await utc.ExecuteNonQueryAsync();
        return await RowsAsync(connection,
            $"""
             select l.seizure_id::text || ' ' || ST_AsEWKT(l.geom) || ' ' || (to_jsonb(l) - 'seizure_id' - 'geom')::text
             from {schema}.{SeizureLocations.TableName} l order by l.seizure_id
             """);
    }

    /// <summary>The columns of one seizure-locations row of the snapshot other than its id and point, as JSON.</summary>
    public static JsonElement LocationColumns(string row) => JsonSerializer.Deserialize<JsonElement>(row[row.IndexOf('{')..]);

    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
