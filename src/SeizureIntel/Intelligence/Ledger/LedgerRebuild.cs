using System.Diagnostics;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Weasel.Core;
using SeizureIntel.Facilities;
using SeizureIntel.Intelligence.FacilitySummaries;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// A blue/green rebuild of every read model the SeizureLedger projection keeps (facts, facility, facility-year and year
/// summaries, monthly buckets and roll-ups, parked events, the seizure-locations table), fast enough for millions of events:
/// <list type="number">
/// <item>fold: every seizure event up to a sequence number is read in order and folded in memory into one
/// <see cref="SeizureFact"/> per seizure, with the projection's own rules (<see cref="SeizureFact.Apply"/>, poison events
/// parked the same way), then every summary is summed from the final contributions;</item>
/// <item>write: the documents go into empty tables of the same shape in a schema of their own ("{schema}_rebuild") by
/// PostgreSQL's COPY (Marten's bulk insert), the seizure locations by binary COPY; meanwhile the node keeps answering from
/// the previous tables, untouched;</item>
/// <item>catch up: the async daemon is paused, and the events appended since the fold are applied to the new tables by
/// the projection itself (<see cref="SeizureLedgerProjection.ApplyAsync"/>);</item>
/// <item>switch: in one transaction the previous tables move out to "{schema}_previous" and the new ones in, the projection's
/// progress is set to the last event they hold and the hot-spot index's epoch moves (it reloads); then the daemon resumes and the previous tables are dropped.</item>
/// </list>
/// A reader sees the previous figures until the switch commits and the new ones after it, never a mix or an empty table.
/// Without the async daemon in this process (the command line) nothing else may append meanwhile: the fold reads up to
/// the newest event and there is no catch-up.
/// </summary>
public sealed class LedgerRebuild(
    IDocumentStore store, NpgsqlDataSource db, ReferenceData reference, QuantityConverter converter, FacilityCatalog facilities,
    IServiceProvider services)
{
    public const string ShardName = SeizureLedgerProjection.Name + ":All";

    /// <summary>How far a rebuild is: the phase, and events or rows done of the phase's total.</summary>
    public sealed record Progress(string Phase, long Done, long Total);

    /// <summary>What a rebuild did and how long each phase took.</summary>
    public sealed record Outcome(
        long Events, long SeizureEvents, int Seizures, int Parked, long UpTo, long CaughtUp, TimeSpan Fold, TimeSpan Write, TimeSpan CatchUp,
        TimeSpan Switch, TimeSpan Total, bool WhileServing, TimeSpan Summing = default)
    {
        /// <summary>Events folded per second over the whole rebuild, switch included.</summary>
        public double EventsPerSecond => (Events + CaughtUp) / Total.TotalSeconds;
    }

    private const int ReadPage = 20_000;

    /// <param name="progress">Told the phase and how far it is (the command line draws a bar).</param>
    /// <param name="token">Stops the rebuild before the switch; the served tables are then left as they were.</param>
    /// <param name="whileServing">
    /// True in a running node whose async daemon runs the projection (in this process): the daemon is paused for the catch-up
    /// and the switch only. False on the command line, where nothing may append meanwhile.
    /// </param>
    public async Task<Outcome> RunAsync(IProgress<Progress>? progress, bool whileServing, CancellationToken token)
    {
        // One rebuild at a time in a process (e.g. one after an import and one asked for): both would write the same green schema.
        await Running.WaitAsync(token);
        try { return await RunOnceAsync(progress, whileServing, token); }
        finally { Running.Release(); }
    }

    private static readonly SemaphoreSlim Running = new(1, 1);

    private async Task<Outcome> RunOnceAsync(IProgress<Progress>? progress, bool whileServing, CancellationToken token)
    {
        var total = Stopwatch.StartNew();
        var schema = store.Options.DatabaseSchemaName;
        var green = $"{schema}_rebuild";
        var previous = $"{schema}_previous";
        var daemon = whileServing ? Daemon() : null;

        // 1. Fold every event up to a sequence number every earlier transaction has committed below.
        long upTo;
        await using (var connection = await db.OpenConnectionAsync(token))
            upTo = daemon is null
                ? await ScalarAsync(connection, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", token)
                : await ScalarAsync(connection, ProgressSql(schema, "HighWaterMark"), token);
        long eventCount;
        await using (var connection = await db.OpenConnectionAsync(token))
            eventCount = await ScalarAsync(connection, $"select count(*) from {schema}.mt_events where seq_id <= {upTo}", token);

        var facts = new Dictionary<Guid, SeizureFact>();
        var parked = new List<ParkedEvent>();
        long read, seizureEvents = 0;
        var fold = Stopwatch.StartNew();
        progress?.Report(new Progress("fold", 0, upTo));
        // The raw rows are read and deserialised in ranges of the sequence on two connections at once (the expensive part:
        // PostgreSQL sending the JSON, System.Text.Json reading it); the ranges are folded here strictly in sequence order.
        await foreach (var range in ReadInOrderAsync(schema, upTo, token))
        {
            foreach (var e in range.Events)
            {
                seizureEvents++;
                // The fact as it stood, to go back to if the event is poison; a seizure's first event starts from an empty fact,
                // so most events (the recordings) need no copy: the empty fact is made again only if one fails.
                ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(facts, e.StreamId, out var known);
                var before = known ? slot!.Copy() : null;
                var fact = known ? slot! : slot = new SeizureFact { Id = e.StreamId };
                try
                {
                    fact.Apply(e.Data, converter);
                    fact.Contribution(reference)?.EnsureBounded();
                }
                catch (Exception failure) when (SeizureLedgerProjection.IsPoison(failure))
                {
                    parked.Add(ParkedEvent.Of(SeizureLedgerProjection.Name, e.Sequence, e.StreamId, e.Type, e.Timestamp, failure));
                    facts[e.StreamId] = before ?? new SeizureFact { Id = e.StreamId };
                }
            }
            // Progress by sequence number: the ranges hold the seizure events only.
            progress?.Report(new Progress("fold", range.To, upTo));
        }
        read = eventCount;
        var summing = Stopwatch.StartNew();
        var all = facts.Values.ToArray();
        var sums = Sum(all);
        summing.Stop();
        fold.Stop();

        // 2. Write the new tables beside the served ones.
        var write = Stopwatch.StartNew();
        await using (var connection = await db.OpenConnectionAsync(token))
            await ExecuteAsync(connection, $"drop schema if exists {green} cascade; drop schema if exists {previous} cascade", token);
        using var next = GreenStore(green);
        await next.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        long rows = facts.Count + sums.Count + parked.Count, written = 0;
        async Task Bulk<T>(IReadOnlyCollection<T> docs) where T : notnull
        {
            if (docs.Count == 0) return;
            foreach (var chunk in docs.Chunk(50_000))
            {
                await next.BulkInsertDocumentsAsync(chunk.Cast<object>(), BulkInsertMode.InsertsOnly, 10_000, token);
                progress?.Report(new Progress("write", Interlocked.Add(ref written, chunk.Length), rows));
            }
        }
        progress?.Report(new Progress("write", 0, rows));
        // Several COPY streams at once, each on its own connection: the facts in two halves, the locations, the summaries and
        // the parked events; serialising on this side and inserting on PostgreSQL's overlap.
        var half = all.Length / 2;
        await Task.WhenAll(
            Task.Run(() => Bulk(all[..half]), token),
            Task.Run(() => Bulk(all[half..]), token),
            Task.Run(() => WriteLocationsAsync(green, all, token), token),
            Task.Run(async () =>
            {
                foreach (var group in sums.GroupBy(s => s.GetType())) await Bulk(group.ToList());
                await Bulk(parked);
            }, token));
        write.Stop();

        // 3. Catch up with what was appended meanwhile, with the agent stopped, through the projection itself.
        var catchUp = Stopwatch.StartNew();
        long caughtUp = 0, last = upTo;
        if (daemon is not null)
        {
            // Paused, not just stopped: the coordinator would otherwise start the stopped agent again on its next check.
            await daemon.PauseAsync();
            // A failure before the switch (whose own finally resumes it) must not leave the daemon paused.
            try
            {
                await using var connection = await db.OpenConnectionAsync(token);
                // Where the served tables stand: the agent, now stopped, has applied exactly this far.
                var served = await ScalarAsync(connection,
                    ProgressSql(schema, ShardName), token);
                var highWater = await ScalarAsync(connection,
                    ProgressSql(schema, "HighWaterMark"), token);
                last = Math.Max(upTo, Math.Max(served, highWater));
                var projection = new SeizureLedgerProjection(reference, converter, facilities);
                await using var query = store.QuerySession();
                for (var after = upTo; after < last;)
                {
                    var page = await query.Events.QueryAllRawEvents().Where(e => e.Sequence > after && e.Sequence <= last)
                        .OrderBy(e => e.Sequence).Take(1000).ToListAsync(token);
                    if (page.Count == 0) break;
                    await using var session = next.LightweightSession();
                    await projection.ApplyAsync(session, page, token);
                    await session.SaveChangesAsync(token);
                    caughtUp += page.Count;
                    after = page[^1].Sequence;
                }
            }
            catch
            {
                await daemon.ResumeAsync();
                throw;
            }
        }
        catchUp.Stop();

        // 4. Switch in one transaction, then drop the previous tables.
        var switching = Stopwatch.StartNew();
        progress?.Report(new Progress("switch", 0, 1));
        try
        {
            await using var connection = await db.OpenConnectionAsync(token);
            await using (var tx = await connection.BeginTransactionAsync(token))
            {
                var sql = new System.Text.StringBuilder($"create schema {previous};\n");
                foreach (var table in Tables(next))
                {
                    sql.Append($"alter table if exists {schema}.{table} set schema {previous};\n");
                    sql.Append($"alter table {green}.{table} set schema {schema};\n");
                }
                // The hot-spot index's triggers follow the new locations table; its epoch moves so every node reloads.
                sql.Append(HotspotIndex.Ddl(schema));
                sql.Append($"\ntruncate {schema}.{HotspotIndex.ChangesTable}; update {schema}.{HotspotIndex.EpochTable} set epoch = epoch + 1;\n");
                sql.Append($"""
                            insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values ('{ShardName}', {last}, now())
                            on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated;
                            """);
                await using (var command = new NpgsqlCommand(sql.ToString(), connection, tx)) await command.ExecuteNonQueryAsync(token);
                await tx.CommitAsync(token);
            }
            await ExecuteAsync(connection, $"drop schema if exists {previous} cascade; drop schema if exists {green} cascade", token);
        }
        finally
        {
            if (daemon is not null) await daemon.ResumeAsync();
        }
        switching.Stop();
        progress?.Report(new Progress("switch", 1, 1));

        return new Outcome(read, seizureEvents, facts.Count, parked.Count, upTo, caughtUp, fold.Elapsed, write.Elapsed, catchUp.Elapsed,
            switching.Elapsed, total.Elapsed, daemon is not null, summing.Elapsed);
    }

    /// <summary>One seizure event as the fold needs it: where it stands in the sequence, its stream, its type's alias, when, and its data.</summary>
    private readonly record struct RawEvent(long Sequence, Guid StreamId, string Type, DateTimeOffset Timestamp, object Data);

    /// <summary>The seizure events of the sequence range (From, To], deserialised, in sequence order.</summary>
    private sealed record EventRange(long From, long To, RawEvent[] Events);

    private const long RangeSize = 25_000;
    private const int Readers = 2;

    /// <summary>
    /// Every seizure event up to <paramref name="upTo"/> (not archived, as Marten's event query), in ranges of the sequence
    /// handed out in order. Up to <see cref="Readers"/> ranges are read at once, each on its own connection by a plain data
    /// reader over mt_events (only the seizure events' types, by their aliases) and deserialised by the store's own
    /// serializer into the event types, as Marten does; a few ranges are read ahead while the caller folds.
    /// </summary>
    private async IAsyncEnumerable<EventRange> ReadInOrderAsync(string schema, long upTo, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        var graph = (Marten.Events.EventGraph)store.Options.Events;
        var types = SeizureEventTypes.ToDictionary(t => graph.EventMappingFor(t).EventTypeName, t => t);
        var aliases = types.Keys.ToArray();
        var serializer = store.Options.Serializer();
        using var gate = new SemaphoreSlim(Readers);
        var pending = new Queue<Task<EventRange>>();
        long next = 0;
        void Launch()
        {
            while (next < upTo && pending.Count < Readers * 2)
            {
                var from = next;
                var to = Math.Min(upTo, next + RangeSize);
                next = to;
                pending.Enqueue(Task.Run(async () =>
                {
                    await gate.WaitAsync(token);
                    try { return await ReadRangeAsync(schema, from, to, types, aliases, serializer, token); }
                    finally { gate.Release(); }
                }, token));
            }
        }
        try
        {
            Launch();
            while (pending.Count > 0)
            {
                var range = await pending.Dequeue();
                Launch();
                yield return range;
            }
        }
        finally
        {
            // Stopped early (a failure or cancellation): let the reads in flight end before their connections go.
            foreach (var task in pending) try { await task; } catch { /* already failing */ }
        }
    }

    private async Task<EventRange> ReadRangeAsync(string schema, long from, long to, Dictionary<string, Type> types, string[] aliases,
        Marten.ISerializer serializer, CancellationToken token)
    {
        await using var connection = await db.OpenConnectionAsync(token);
        await using var command = new NpgsqlCommand(
            $"select seq_id, stream_id, type, timestamp, data from {schema}.mt_events where seq_id > $1 and seq_id <= $2 and type = any($3) and is_archived = false order by seq_id",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        command.Parameters.Add(new NpgsqlParameter { Value = aliases });
        var events = new List<RawEvent>((int)Math.Min(to - from, 100_000));
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var alias = reader.GetString(2);
            var type = types[alias];
            // Recordings, corrections and lab results (nearly all the events) by readers of only the fields the fold takes; the
            // rest (voids, duplicate marks, partners' records) as Marten reads them.
            var data = type == typeof(SeizureRecorded) ? SeizureRecordedReader.Read(Json(reader.GetFieldValue<byte[]>(4)))
                : type == typeof(SeizureCorrected) ? SeizureRecordedReader.ReadCorrection(Json(reader.GetFieldValue<byte[]>(4)))
                : type == typeof(LabAnalysisReported) ? SeizureRecordedReader.ReadLabResult(Json(reader.GetFieldValue<byte[]>(4)))
                : serializer.FromJson(type, reader, 4);
            events.Add(new RawEvent(reader.GetInt64(0), reader.GetGuid(1), alias, reader.GetFieldValue<DateTimeOffset>(3), data));
        }
        return new EventRange(from, to, events.ToArray());
    }

    /// <summary>A jsonb value's text: without the version byte (1) of PostgreSQL's binary format if the driver leaves it there.</summary>
    private static ReadOnlySpan<byte> Json(byte[] value) => value is [1, ..] ? value.AsSpan(1) : value;

    /// <summary>Every concrete event type the projection handles (<see cref="SeizureLedgerProjection.Handles"/>).</summary>
    private static readonly Type[] SeizureEventTypes = typeof(ISeizureEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ISeizureEvent).IsAssignableFrom(t)).ToArray();

    /// <summary>The coordinator of this process's async daemon.</summary>
    private Marten.Events.Daemon.Coordination.IProjectionCoordinator Daemon() =>
        services.GetService(typeof(Marten.Events.Daemon.Coordination.IProjectionCoordinator)) is Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator
            ? coordinator
            : throw new InvalidOperationException("no async daemon runs in this process: rebuild from the command line instead");

    /// <summary>
    /// The seizures of one monthly bucket (they share every dimension a summary breaks down by), with one of their
    /// contributions as the example of those keys and the latest of their instants (the first fact to reach it, as the facts are
    /// ordered, so ties go as they went when each contribution was added on its own).
    /// </summary>
    private sealed class Cell(MonthlyBucket bucket, Contribution example, int ordinal)
    {
        public MonthlyBucket Bucket { get; } = bucket;
        public Contribution Example { get; } = example;
        public DateTimeOffset Last { get; set; } = example.OccurredAt;
        public int LastOrdinal { get; set; } = ordinal;
    }

    /// <summary>
    /// A bucket's key without formatting its id: its month and the values of its dimensions (the facility as it is, so that a
    /// seizure without one stays apart from the facility summaries; the oblast as the bucket's id has it).
    /// </summary>
    private readonly record struct BucketKey(int MonthIndex, string Agency, string? Facility, string Oblast, string Substance, string Detection, string Entry);

    /// <summary>
    /// Every summary the projection keeps, summed from the facts' final contributions with the same keys as the projection's
    /// moves. Each contribution is added to its monthly bucket only (keyed by a struct, not a formatted id); every other summary
    /// — facility, facility-year, year and year-by-agency summaries with their breakdowns, and the roll-ups — then merges whole
    /// buckets (<see cref="Summary.Merge"/>): every seizure of a bucket has the same keys in all of them, and a merged tally has
    /// the same figures as its seizures added one by one (<see cref="Tally.Merge"/>). Each kind is summed on its own (the
    /// roll-ups in two halves of their dimensions), the kinds side by side on the cores: no summary is touched by two at once.
    /// </summary>
    private List<Summary> Sum(IReadOnlyList<SeizureFact> facts)
    {
        var cells = new Dictionary<BucketKey, Cell>();
        for (var i = 0; i < facts.Count; i++)
        {
            if (facts[i].Contribution(reference) is not { } c) continue;
            var key = new BucketKey(MonthlyBucket.IndexOf(c.Year, c.Month), c.Agency, c.FacilityId, c.Oblast ?? YearSummary.UnknownOblast,
                c.Substance, c.Detection, c.Entry);
            if (!cells.TryGetValue(key, out var cell)) cells[key] = cell = new Cell(MonthlyBucket.For(c), c, i);
            cell.Bucket.Add(c, +1);
            if (cell.Last < c.OccurredAt) (cell.Last, cell.LastOrdinal) = (c.OccurredAt, i);
        }
        var all = cells.Values.ToArray();

        // Summaries that track the latest seizure take the latest instant, the earliest fact among equal ones.
        static void Merge<T>(Dictionary<string, (T Doc, int Ordinal)> docs, string id, Func<T> create, Cell cell) where T : Summary
        {
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(docs, id, out var exists);
            if (!exists) entry = (create(), cell.LastOrdinal);
            entry.Doc.Merge(cell.Example, cell.Bucket.Total);
            if (entry.Doc is ITracksLastSeizure t &&
                (t.LastSeizureAt is not { } last || last < cell.Last || (last == cell.Last && cell.LastOrdinal < entry.Ordinal)))
                (t.LastSeizureAt, entry.Ordinal) = (cell.Last, cell.LastOrdinal);
        }
        var half = MonthlyRollup.Dimensions.Length; // Keys lists two ids per dimension: the first half of them, then the rest.
        Func<IEnumerable<Summary>>[] parts =
        [
            () =>
            {
                var docs = new Dictionary<string, (FacilitySummary Doc, int Ordinal)>();
                foreach (var cell in all)
                    if (cell.Example.FacilityId is { } facility) Merge(docs, facility, () => new FacilitySummary { Id = facility }, cell);
                return docs.Values.Select(d => d.Doc);
            },
            () =>
            {
                var docs = new Dictionary<string, (FacilityYearSummary Doc, int Ordinal)>();
                foreach (var cell in all)
                    if (cell.Example.FacilityId is { } facility)
                    {
                        var year = cell.Example.Year;
                        var id = FacilityYearSummary.IdFor(facility, year);
                        Merge(docs, id, () => new FacilityYearSummary { Id = id, FacilityId = facility, Year = year }, cell);
                    }
                return docs.Values.Select(d => d.Doc);
            },
            () =>
            {
                var docs = new Dictionary<string, (YearSummary Doc, int Ordinal)>();
                foreach (var cell in all)
                {
                    var (year, agency) = (cell.Example.Year, cell.Example.Agency);
                    var id = YearSummary.IdFor(year);
                    Merge(docs, id, () => new YearSummary { Id = id, Year = year }, cell);
                    var byAgency = YearSummary.IdFor(year, agency);
                    Merge(docs, byAgency, () => new YearSummary { Id = byAgency, Year = year, Agency = agency }, cell);
                }
                return docs.Values.Select(d => d.Doc);
            },
            .. Enumerable.Range(0, 2).Select(i => (Func<IEnumerable<Summary>>)(() =>
            {
                var docs = new Dictionary<string, MonthlyRollup>();
                foreach (var cell in all)
                    foreach (var key in i == 0 ? MonthlyRollup.Keys(cell.Example).Take(half) : MonthlyRollup.Keys(cell.Example).Skip(half))
                    {
                        if (!docs.TryGetValue(key, out var doc)) docs[key] = doc = MonthlyRollup.For(cell.Example, key);
                        doc.Total.Merge(cell.Bucket.Total);
                    }
                return docs.Values;
            })),
        ];
        var results = new List<Summary>[parts.Length];
        Parallel.For(0, parts.Length, i => results[i] = parts[i]().ToList());
        // The buckets last, once nothing reads the cells' totals any more: two cells whose ids are equal (a facility coded
        // "none" and none at all) are one bucket, as the projection keeps it.
        var buckets = new Dictionary<string, MonthlyBucket>(all.Length);
        foreach (var cell in all)
            if (buckets.TryGetValue(cell.Bucket.Id, out var bucket)) bucket.Merge(cell.Example, cell.Bucket.Total);
            else buckets[cell.Bucket.Id] = cell.Bucket;
        return [.. results.SelectMany(r => r), .. buckets.Values];
    }

    /// <summary>The seizure-locations rows of every fact with a point, by binary COPY (the projection's own rows, see <see cref="SeizureLocations.Write"/>).</summary>
    private async Task WriteLocationsAsync(string schema, IEnumerable<SeizureFact> facts, CancellationToken token)
    {
        await using var connection = await db.OpenConnectionAsync(token);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"""
             copy {schema}.{SeizureLocations.TableName} (seizure_id, geom, precision, agency, facility_id, oblast, substance, substance_group,
               detection, local_date, occurred_at, grams, lab_confirmed_grams, counted) from stdin (format binary)
             """, token);
        foreach (var fact in facts)
        {
            if (SeizureLocations.PointOf(fact, facilities) is not { } point) continue;
            await copy.StartRowAsync(token);
            await copy.WriteAsync(fact.Id, NpgsqlDbType.Uuid, token);
            await copy.WriteAsync(new Point(point.Lon, point.Lat) { SRID = 4326 }, token);
            await copy.WriteAsync(point.Precision, NpgsqlDbType.Text, token);
            await copy.WriteAsync(fact.Agency, NpgsqlDbType.Text, token);
            await Nullable(copy, fact.FacilityId, NpgsqlDbType.Text, token);
            await Nullable(copy, fact.Oblast, NpgsqlDbType.Text, token);
            await copy.WriteAsync(fact.Substance, NpgsqlDbType.Text, token);
            await copy.WriteAsync(reference.GroupOf(fact.Substance), NpgsqlDbType.Text, token);
            await copy.WriteAsync(fact.Detection, NpgsqlDbType.Text, token);
            await copy.WriteAsync(fact.LocalDate, NpgsqlDbType.Date, token);
            await copy.WriteAsync(fact.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, token);
            await Nullable(copy, fact.Grams, NpgsqlDbType.Numeric, token);
            await Nullable(copy, fact.LabGrams, NpgsqlDbType.Numeric, token);
            await copy.WriteAsync(fact.Counted, NpgsqlDbType.Boolean, token);
        }
        await copy.CompleteAsync(token);
    }

    private static Task Nullable<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken token) =>
        value is null ? copy.WriteNullAsync(token) : copy.WriteAsync(value, type, token);

    /// <summary>A store of the same document types, serializer and storage in another schema: where the new tables are built.</summary>
    private DocumentStore GreenStore(string schema) => DocumentStore.For(o =>
    {
        o.Connection(db);
        o.DatabaseSchemaName = schema;
        o.Events.DatabaseSchemaName = schema;
        o.Serializer(store.Options.Serializer());
        o.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        SeizureLedgerProjection.ConfigureStorage(o);
        o.Storage.ExtendedSchemaObjects.Add(SeizureLocations.Table(schema));
    });

    /// <summary>The tables the switch moves: each document type's and the seizure locations.</summary>
    private static IEnumerable<string> Tables(DocumentStore next) =>
        SeizureLedgerProjection.Documents.Select(t => ((IDocumentStore)next).Options.FindOrResolveDocumentType(t).TableName.Name).Append(SeizureLocations.TableName);

    /// <summary>How far a projection shard (or "HighWaterMark") has come in the store's progress table; 0 when it has no row yet.</summary>
    internal static string ProgressSql(string schema, string shard) =>
        $"select coalesce((select last_seq_id from {schema}.mt_event_progression where name = '{shard}'), 0)";

    internal static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(token));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(token);
    }
}
