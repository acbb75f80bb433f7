using Npgsql;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>
/// The counted seizures' points in memory, for hot spots over a whole country without reading a million rows a request.
/// The seizure-locations table stays the truth (the SeizureLedger projection writes it); statement triggers on it record
/// every inserted, updated or deleted seizure id under a new revision in <c>seizure_location_changes</c>, and a truncate
/// (a rebuild's teardown, a reset) bumps an epoch. Each request first reads the changes after the revision it holds
/// (one indexed range scan, usually empty) and applies them, or reloads everything when the epoch moved. The projection
/// is the table's only writer and commits one batch after another, so revisions become visible in order.
/// </summary>
public sealed class HotspotIndex(NpgsqlDataSource db, string schema, bool applySchema = true)
{
    public const string ChangesTable = "seizure_location_changes", EpochTable = "seizure_location_epoch";

    /// <summary>A counted seizure as the index keeps it.</summary>
    public readonly record struct Entry(double Lat, double Lon, decimal? Grams, decimal? LabConfirmedGrams, DateOnly LocalDate, string? Substance);

    private readonly object gate = new();
    private readonly SemaphoreSlim refreshing = new(1, 1);
    // The counted seizures ordered by id (as Guid.CompareTo): a change is merged in, never sorted again from scratch.
    private Guid[] ids = [];
    private Slot[] slots = [];
    private long revision = -1, epoch = -1;

    /// <summary>A counted seizure's point (handed out as it is, no copy a request) with the fields the filters read.</summary>
    private readonly record struct Slot(HotspotPoint Point, DateOnly LocalDate, string? Substance);

    private static Slot ToSlot(Guid id, Entry e) => new(new HotspotPoint(id, e.Lat, e.Lon, e.Grams, e.LabConfirmedGrams), e.LocalDate, e.Substance);

    /// <summary>How many counted seizures the index holds.</summary>
    public int Count
    {
        get { lock (gate) return ids.Length; }
    }

    private string Schema => schema;

    /// <summary>Idempotent DDL: the change log, the epoch and the triggers that keep them.</summary>
    public static string Ddl(string schema)
    {
        var table = SpatialQuery.Table(schema);
        return $"""
                create sequence if not exists {schema}.seizure_location_revision;
                create table if not exists {schema}.{ChangesTable} (seizure_id uuid primary key, revision bigint not null);
                create index if not exists ix_{ChangesTable}_revision on {schema}.{ChangesTable} (revision);
                create table if not exists {schema}.{EpochTable} (id int primary key, epoch bigint not null);
                insert into {schema}.{EpochTable} values (1, 0) on conflict do nothing;
                create or replace function {schema}.seizure_location_changed() returns trigger language plpgsql as $$
                begin
                  insert into {schema}.{ChangesTable} (seizure_id, revision)
                    select seizure_id, nextval('{schema}.seizure_location_revision') from changed
                  on conflict (seizure_id) do update set revision = excluded.revision;
                  return null;
                end $$;
                create or replace function {schema}.seizure_location_truncated() returns trigger language plpgsql as $$
                begin
                  truncate {schema}.{ChangesTable};
                  update {schema}.{EpochTable} set epoch = epoch + 1;
                  return null;
                end $$;
                create or replace trigger seizure_location_inserted after insert on {table}
                  referencing new table as changed for each statement execute function {schema}.seizure_location_changed();
                create or replace trigger seizure_location_updated after update on {table}
                  referencing new table as changed for each statement execute function {schema}.seizure_location_changed();
                create or replace trigger seizure_location_deleted after delete on {table}
                  referencing old table as changed for each statement execute function {schema}.seizure_location_changed();
                create or replace trigger seizure_location_truncated after truncate on {table}
                  for each statement execute function {schema}.seizure_location_truncated();
                """;
    }

    /// <summary>
    /// The counted seizures matching the filter, read from the index after bringing it up to date, ordered by id (as
    /// <see cref="Guid.CompareTo(Guid)"/>): clusters list their members in this order without sorting each one again.
    /// </summary>
    public async Task<List<HotspotPoint>> PointsAsync(DateOnly? from, DateOnly? to, string? substance, CancellationToken token)
    {
        await RefreshAsync(token);
        substance = string.IsNullOrWhiteSpace(substance) ? null : substance.Trim();
        Slot[] current;
        lock (gate) current = slots;
        var points = new List<HotspotPoint>(current.Length);
        foreach (var slot in current)
        {
            if (from is { } f && slot.LocalDate < f) continue;
            if (to is { } t && slot.LocalDate > t) continue;
            if (substance is not null && slot.Substance != substance) continue;
            points.Add(slot.Point);
        }
        return points;
    }

    public async Task RefreshAsync(CancellationToken token)
    {
        await refreshing.WaitAsync(token);
        try
        {
            await using var connection = await db.OpenConnectionAsync(token);
            // On a runtime login the owner login has applied it (RuntimeGrants runs the same DDL).
            if (epoch < 0 && applySchema) await Execute(connection, Ddl(Schema), null, token);
            await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, token);
            long now;
            await using (var read = new NpgsqlCommand($"select epoch from {Schema}.{EpochTable} where id = 1", connection, tx))
                now = (long)(await read.ExecuteScalarAsync(token))!;
            if (now != epoch) await ReloadAsync(connection, tx, now, token);
            else await ApplyChangesAsync(connection, tx, token);
            await tx.CommitAsync(token);
        }
        finally
        {
            refreshing.Release();
        }
    }

    private string Select => $"select l.seizure_id, ST_Y(l.geom), ST_X(l.geom), l.grams, l.lab_confirmed_grams, l.local_date, l.substance, l.counted";

    private static (Guid Id, Entry Entry, bool Counted) Read(NpgsqlDataReader r) =>
        (r.GetGuid(0), new Entry(r.GetDouble(1), r.GetDouble(2), r.IsDBNull(3) ? null : r.GetDecimal(3), r.IsDBNull(4) ? null : r.GetDecimal(4),
            r.IsDBNull(5) ? DateOnly.MinValue : r.GetFieldValue<DateOnly>(5), r.IsDBNull(6) ? null : r.GetString(6)), !r.IsDBNull(7) && r.GetBoolean(7));

    private async Task ReloadAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long now, CancellationToken token)
    {
        long latest;
        await using (var max = new NpgsqlCommand($"select coalesce(max(revision), 0) from {Schema}.{ChangesTable}", connection, tx))
            latest = (long)(await max.ExecuteScalarAsync(token))!;
        var freshIds = new List<Guid>();
        var fresh = new List<Slot>();
        await using (var all = new NpgsqlCommand($"{Select} from {SpatialQuery.Table(Schema)} l where l.counted", connection, tx))
        await using (var reader = await all.ExecuteReaderAsync(token))
            while (await reader.ReadAsync(token))
            {
                var (id, entry, _) = Read(reader);
                freshIds.Add(id);
                fresh.Add(ToSlot(id, entry));
            }
        var sortedIds = freshIds.ToArray();
        var sortedSlots = fresh.ToArray();
        Array.Sort(sortedIds, sortedSlots);
        lock (gate)
        {
            (ids, slots) = (sortedIds, sortedSlots);
            revision = latest;
            epoch = now;
        }
    }

    private async Task ApplyChangesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken token)
    {
        var changes = new List<(Guid Id, Entry? Entry)>();
        var latest = revision;
        await using (var command = new NpgsqlCommand(
                         $"""
                          select c.seizure_id, ST_Y(l.geom), ST_X(l.geom), l.grams, l.lab_confirmed_grams, l.local_date, l.substance,
                            coalesce(l.counted, false), c.revision
                          from {Schema}.{ChangesTable} c left join {SpatialQuery.Table(Schema)} l on l.seizure_id = c.seizure_id
                          where c.revision > @after
                          """, connection, tx))
        {
            command.Parameters.AddWithValue("after", revision);
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                latest = Math.Max(latest, reader.GetInt64(8));
                if (reader.IsDBNull(1)) changes.Add((reader.GetGuid(0), null));
                else
                {
                    var (id, entry, counted) = Read(reader);
                    changes.Add((id, counted ? entry : null));
                }
            }
        }
        if (changes.Count == 0) return;
        // The changed seizures leave the sorted arrays and those still counted come back in order: one linear merge.
        var changed = changes.Select(c => c.Id).ToHashSet();
        var added = changes.Where(c => c.Entry is not null).Select(c => (c.Id, ToSlot(c.Id, c.Entry!.Value))).ToArray();
        Array.Sort(added, (a, b) => a.Id.CompareTo(b.Id));
        Guid[] oldIds;
        Slot[] oldSlots;
        lock (gate) (oldIds, oldSlots) = (ids, slots);
        var kept = 0;
        foreach (var id in oldIds) if (!changed.Contains(id)) kept++;
        var newIds = new Guid[kept + added.Length];
        var newSlots = new Slot[newIds.Length];
        int i = 0, j = 0, k = 0;
        while (k < newIds.Length)
        {
            while (i < oldIds.Length && changed.Contains(oldIds[i])) i++;
            if (j < added.Length && (i == oldIds.Length || added[j].Id.CompareTo(oldIds[i]) < 0))
                (newIds[k], newSlots[k++]) = added[j++];
            else
                (newIds[k], newSlots[k++]) = (oldIds[i], oldSlots[i++]);
        }
        lock (gate)
        {
            (ids, slots) = (newIds, newSlots);
            revision = latest;
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(token);
    }
}
