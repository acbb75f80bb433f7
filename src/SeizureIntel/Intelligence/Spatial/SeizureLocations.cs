using Marten;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>
/// The PostGIS table of seizure locations, <c>{schema}.seizure_locations</c>: one row per seizure that has a point, kept
/// by <see cref="SeizureLedgerProjection"/> from its <see cref="SeizureFact"/>s in the same unit of work, so it follows
/// corrections, voids, duplicates, lab results and partner records, and is recreated by a rebuild (teardown empties it).
/// The point is the seizure's own location (precision <c>exact</c>), else its facility's point with the facility's
/// precision (SIZO-1: <c>town</c>); a seizure with neither has no row. <c>counted</c> is false for voided seizures and
/// duplicates: they keep their row, and every query filters on it.
/// </summary>
public static class SeizureLocations
{
    public const string TableName = "seizure_locations";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("seizure_id").AsPrimaryKey();
        table.AddColumn("geom", "geometry(Point,4326)").NotNull();
        table.AddColumn("precision", "text");
        table.AddColumn("agency", "text");
        table.AddColumn("facility_id", "text");
        table.AddColumn("oblast", "text");
        table.AddColumn("substance", "text");
        table.AddColumn("substance_group", "text");
        table.AddColumn("detection", "text");
        table.AddColumn("local_date", "date");
        table.AddColumn("occurred_at", "timestamptz");
        table.AddColumn("grams", "numeric");
        table.AddColumn("lab_confirmed_grams", "numeric");
        table.AddColumn("counted", "boolean");
        table.Indexes.Add(new IndexDefinition($"ix_{TableName}_geom") { Method = IndexMethod.gist, Columns = ["geom"] });
        return table;
    }

    /// <summary>The point a seizure is mapped at and how precise it is, or null when it has none.</summary>
    public static (double Lat, double Lon, string Precision)? PointOf(SeizureFact fact, FacilityCatalog facilities)
    {
        if (fact.Location is { } own) return (own.Lat, own.Lon, "exact");
        if (facilities.Resolve(fact.FacilityId)?.Location is { Lat: { } lat, Lon: { } lon } at)
            return (lat, lon, Precision(at.Precision));
        return null;
    }

    public static string Precision(LocationPrecision precision) => precision switch
    {
        LocationPrecision.Exact => "exact",
        LocationPrecision.Town => "town",
        LocationPrecision.Oblast => "oblast",
        _ => "unknown",
    };

    private const int RowsPerStatement = 1000; // 14 parameters a row, far below PostgreSQL's 65 535

    /// <summary>Queues, in the projection's unit of work, the upserts and deletes that bring these seizures' rows up to date.</summary>
    public static void Write(IDocumentOperations operations, FacilityCatalog facilities, ReferenceData reference, IEnumerable<SeizureFact> facts)
    {
        var table = $"{operations.DocumentStore.Options.DatabaseSchemaName}.{TableName}";
        var rows = new List<object?[]>();
        var without = new List<Guid>();
        foreach (var fact in facts)
        {
            if (PointOf(fact, facilities) is not { } point)
            {
                without.Add(fact.Id);
                continue;
            }
            rows.Add([
                fact.Id, point.Lon, point.Lat, point.Precision, fact.Agency, fact.FacilityId, fact.Oblast, fact.Substance,
                reference.GroupOf(fact.Substance), fact.Detection, fact.LocalDate, fact.OccurredAt.ToUniversalTime(),
                fact.Grams, fact.LabGrams, fact.Counted,
            ]);
        }

        if (without.Count > 0) operations.QueueSqlCommand($"delete from {table} where seizure_id = any(?)", (object)without.ToArray());
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var values = string.Join(",", chunk.Select(_ =>
                "(?, ST_SetSRID(ST_MakePoint(?, ?), 4326), ?, ?, ?, ?, ?, ?, ?, ?::date, ?::timestamptz, ?::numeric, ?::numeric, ?)"));
            operations.QueueSqlCommand(
                $"""
                 insert into {table} (seizure_id, geom, precision, agency, facility_id, oblast, substance, substance_group, detection,
                   local_date, occurred_at, grams, lab_confirmed_grams, counted)
                 values {values}
                 on conflict (seizure_id) do update set geom = excluded.geom, precision = excluded.precision, agency = excluded.agency,
                   facility_id = excluded.facility_id, oblast = excluded.oblast, substance = excluded.substance,
                   substance_group = excluded.substance_group, detection = excluded.detection, local_date = excluded.local_date,
                   occurred_at = excluded.occurred_at, grams = excluded.grams, lab_confirmed_grams = excluded.lab_confirmed_grams,
                   counted = excluded.counted
                 """,
                chunk.SelectMany(r => r).Select(v => v ?? DBNull.Value).ToArray());
        }
    }
}
