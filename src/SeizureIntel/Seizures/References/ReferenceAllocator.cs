using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace SeizureIntel.Seizures.References;

/// <summary>
/// Hands out seizure references such as SSEP-2015-000123: agency, year of the local date, and a sequence unique per
/// agency and year. The counter row is incremented inside the same transaction that appends the seizure's first
/// event, so concurrent posts queue on the row lock and a refused or failed post rolls its number back: no gaps.
/// </summary>
public static class ReferenceAllocator
{
    public const string TableName = "seizure_reference_counters";

    public static Table CounterTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("agency").AsPrimaryKey();
        table.AddColumn<int>("year").AsPrimaryKey();
        table.AddColumn<int>("last_value").NotNull();
        return table;
    }

    public static async Task<string> NextAsync(IDocumentSession session, string agency, int year, CancellationToken token) =>
        Format(agency, year, await ReserveAsync(session, agency, year, 1, token));

    /// <summary>Reserves count consecutive sequence numbers for the agency and year; returns the first.</summary>
    public static async Task<int> ReserveAsync(IDocumentSession session, string agency, int year, int count, CancellationToken token)
    {
        await session.BeginTransactionAsync(token);
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        await using var command = new NpgsqlCommand(
            $"""
             insert into {schema}.{TableName} as c (agency, year, last_value) values (@agency, @year, @count)
             on conflict (agency, year) do update set last_value = c.last_value + @count
             returning last_value
             """, session.Connection);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("year", year);
        command.Parameters.AddWithValue("count", count);
        var last = (int)(await command.ExecuteScalarAsync(token))!;
        return last - count + 1;
    }

    public static string Format(string agency, int year, int sequence) => $"{agency}-{year}-{sequence:D6}";

    /// <summary>
    /// <see cref="Format"/> as a SQL expression over three SQL expressions (text, integer, integer), for a statement that
    /// numbers many seizures in the database (Imports/SeizureEventCopy.cs): at least six digits, more when needed.
    /// </summary>
    public static string SqlFormat(string agency, string year, string sequence) =>
        $"{agency} || '-' || ({year})::text || '-' || lpad(({sequence})::text, greatest(6, length(({sequence})::text)), '0')";
}
