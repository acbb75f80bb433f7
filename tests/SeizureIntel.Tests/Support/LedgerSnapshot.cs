using Npgsql;

namespace SeizureIntel.Tests.Support;

/// <summary>Every read model document the ledger projection owns, as stored (id and JSON), for exact comparisons.</summary>
public static class LedgerSnapshot
{
    private static readonly string[] Tables =
        ["mt_doc_seizurefact", "mt_doc_facilitysummary", "mt_doc_facilityyearsummary", "mt_doc_yearsummary", "mt_doc_monthlybucket"];

    public static async Task<Dictionary<string, List<string>>> TakeAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"select id::text || ' ' || data::text from {schema}.{table} order by id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
            snapshot[table] = rows;
        }
        return snapshot;
    }
}
