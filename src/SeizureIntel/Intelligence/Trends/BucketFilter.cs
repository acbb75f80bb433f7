using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Marten;
using SeizureIntel.Agencies;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;

namespace SeizureIntel.Intelligence.Trends;

/// <summary>
/// The dimensions analysts filter monthly buckets by, validated against the coded vocabularies and the facility and
/// oblast catalogues. A null dimension is not filtered. Facility "none" means seizures without a facility; oblast
/// "unknown" those whose oblast is unknown; entry "unknown" those recorded without a method of entry.
/// </summary>
public sealed partial record BucketFilter(
    string? Substance, string? Group, string? Agency, string? Facility, string? Oblast, string? Detection, string? Entry)
{
    public static BucketFilter Parse(Problems problems, ReferenceData reference, FacilityCatalog facilities, Oblasts oblasts,
        string? substance, string? group, string? agency, string? facility, string? oblast, string? detection, string? entry)
    {
        string? Code(string field, string? value, string vocabulary, string? extra = null)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var code = value.Trim();
            if (code == extra) return code;
            if (reference.Find(vocabulary, code) is { } term) return term.Code;
            problems.Fail(field, $"'{code}' is not a known code (see GET /api/reference/{vocabulary})");
            return null;
        }

        var agencyCode = problems.Agency("agency", agency);
        string? facilityCode = null;
        if (!string.IsNullOrWhiteSpace(facility))
        {
            if (facility.Trim() == YearSummary.NoFacility) facilityCode = YearSummary.NoFacility;
            else if (facilities.Resolve(facility) is { } f) facilityCode = f.Code;
            else problems.Fail("facility", $"'{facility}' is not a known facility code or alias (see GET /api/facilities)");
        }
        string? oblastCode = null;
        if (!string.IsNullOrWhiteSpace(oblast))
        {
            if (oblast.Trim() == YearSummary.UnknownOblast) oblastCode = YearSummary.UnknownOblast;
            else if (oblasts.Find(oblast) is { } o) oblastCode = o.Code;
            else problems.Fail("oblast", $"'{oblast}' is not a known ISO 3166-2 oblast code (see GET /api/oblasts)");
        }
        return new BucketFilter(Code("substance", substance, ReferenceData.Substances), Code("group", group, ReferenceData.SubstanceGroups),
            agencyCode, facilityCode, oblastCode, Code("detection", detection, ReferenceData.DetectionMethods),
            Code("entry", entry, ReferenceData.EntryMethods, "unknown"));
    }

    /// <summary>
    /// Totals per month of months <paramref name="from"/>..<paramref name="to"/> (month indexes, inclusive) that pass the
    /// filter, summed by PostgreSQL: one row per month with data comes back. With at most one dimension filtered (besides
    /// detection) the sum reads the one-dimension roll-ups (<see cref="MonthlyRollup"/>: one row per month, whatever the
    /// volume); otherwise the seven-dimension buckets of those months (up to one per seizure). Months without data are absent.
    /// </summary>
    public async Task<IReadOnlyList<MonthTotal>> SumByMonthAsync(IQuerySession session, int from, int to, CancellationToken token)
    {
        var (table, where, args) = Rollup is { } r && await RollupsCompleteAsync(session, token)
            ? RollupWhere(session, r, from, to, Detection ?? "") : Where(session, from, to);
        var sql = $"""
            select jsonb_build_object(
                'monthIndex', month_index,
                'count', sum((data->'total'->>'count')::int),
                'grams', sum((data->'total'->>'grams')::numeric),
                'labConfirmedGrams', sum((data->'total'->>'labConfirmedGrams')::numeric))
            from {table} where {where} group by month_index order by month_index
            """;
        return await session.AdvancedSql.QueryAsync<MonthTotal>(sql, token, args);
    }

    /// <summary>As <see cref="SumByMonthAsync"/>, one row per month and detection method (finds per kind of search effort).</summary>
    public async Task<IReadOnlyList<DetectionMonthTotal>> SumByMonthAndDetectionAsync(IQuerySession session, int from, int to, CancellationToken token)
    {
        var rollup = Rollup is { } r && await RollupsCompleteAsync(session, token) ? r : ((string, string)?)null;
        var (table, where, args) = rollup is { } one ? RollupWhere(session, one, from, to, Detection) : Where(session, from, to);
        var detection = rollup is null ? "data->>'detection'" : "detection";
        var sql = $"""
            select jsonb_build_object(
                'monthIndex', month_index,
                'detection', {detection},
                'count', sum((data->'total'->>'count')::int),
                'grams', sum((data->'total'->>'grams')::numeric),
                'labConfirmedGrams', sum((data->'total'->>'labConfirmedGrams')::numeric))
            from {table} where {where} group by month_index, {detection} order by month_index, {detection}
            """;
        return await session.AdvancedSql.QueryAsync<DetectionMonthTotal>(sql, token, args);
    }

    /// <summary>
    /// For a trend of one facility (no other filter): in one query, its monthly roll-ups of months
    /// <paramref name="from"/>..<paramref name="to"/> for all detection methods together (the series, as
    /// <see cref="SumByMonthAsync"/>) and per method (the finds of the effort rates, as <see cref="SumByMonthAndDetectionAsync"/>),
    /// and its counting effort entries of the same months (as EffortQueries.EntriesAsync): one round trip instead of three.
    /// Null when the roll-ups cannot answer (another filter, or roll-ups not yet complete): then the three queries do.
    /// </summary>
    public async Task<FacilityTrend?> FacilityTrendAsync(IQuerySession session, int from, int to, CancellationToken token)
    {
        if (Facility is null || Detection is not null || Rollup is not ("facility", _) || !await RollupsCompleteAsync(session, token)) return null;
        var rollups = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(MonthlyRollup)).TableName.QualifiedName;
        var effort = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(SeizureIntel.Intelligence.Effort.EffortRecord)).TableName.QualifiedName;
        // One document comes back (the rows as two arrays): one deserialisation instead of one per row.
        var sql = $"""
            select jsonb_build_object(
                'rollups', coalesce((
                    select jsonb_agg(jsonb_build_object('monthIndex', month_index, 'detection', detection, 'count', c, 'grams', g, 'labConfirmedGrams', l)
                                     order by month_index, detection collate "C")
                    from (select month_index, detection, sum((data->'total'->>'count')::int) as c, sum((data->'total'->>'grams')::numeric) as g,
                                 sum((data->'total'->>'labConfirmedGrams')::numeric) as l
                          from {rollups} where dimension = 'facility' and value = ? and month_index between ? and ? group by month_index, detection) r), '[]'),
                'effort', coalesce((
                    select jsonb_agg(jsonb_build_object('monthIndex', month_index, 'kind', data->>'kind', 'amount', (data->>'amount')::numeric) order by month_index)
                    from {effort} where facility = ? and month_index between ? and ? and (data->>'voided')::boolean = false), '[]'))
            """;
        var rows = (await session.AdvancedSql.QueryAsync<FacilityTrendRows>(sql, token, Facility, from, to, Facility, from, to)).Single();
        var months = new List<MonthTotal>();
        var finds = new List<DetectionMonthTotal>();
        foreach (var r in rows.Rollups)
        {
            if (r.Detection == "") months.Add(new MonthTotal(r.MonthIndex, r.Count, r.Grams, r.LabConfirmedGrams));
            else finds.Add(new DetectionMonthTotal(r.MonthIndex, r.Detection, r.Count, r.Grams, r.LabConfirmedGrams));
        }
        // The rates need an entry's kind, month and amount only: those are read, not the whole document.
        var entries = rows.Effort.Select(e => new SeizureIntel.Intelligence.Effort.EffortRecord { Facility = Facility, Kind = e.Kind, MonthIndex = e.MonthIndex, Amount = e.Amount })
            .ToList();
        return new FacilityTrend(months, finds, entries);
    }

    /// <summary>Stores whose roll-ups were found to hold every bucket's seizures (checked once per process, per table).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> CompleteRollups = new();

    /// <summary>
    /// Whether the roll-ups hold what the buckets hold. A store written before the roll-ups existed has buckets and no (or
    /// only newer) roll-ups until <c>read-models rebuild</c> or <c>projections rebuild</c> runs: until then the buckets
    /// answer (slower, never short). The projection keeps both in one transaction, so once they agree they stay agreed.
    /// </summary>
    private static async Task<bool> RollupsCompleteAsync(IQuerySession session, CancellationToken token)
    {
        var rollups = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(MonthlyRollup)).TableName.QualifiedName;
        if (CompleteRollups.ContainsKey(rollups)) return true;
        var buckets = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(MonthlyBucket)).TableName.QualifiedName;
        var sql = $"""
            select (select coalesce(sum((data->'total'->>'count')::bigint), 0) from {rollups} where dimension = 'all' and detection = '')
                 = (select coalesce(sum((data->'total'->>'count')::bigint), 0) from {buckets})
            """;
        var complete = (await session.AdvancedSql.QueryAsync<bool>(sql, token)).Single();
        if (complete) CompleteRollups.TryAdd(rollups, true);
        return complete;
    }

    /// <summary>
    /// The one roll-up dimension and value this filter needs, or null when it filters more than one dimension besides
    /// detection (then only the seven-dimension buckets can answer).
    /// </summary>
    public (string Dimension, string Value)? Rollup
    {
        get
        {
            (string, string?)[] others =
                [("agency", Agency), ("facility", Facility), ("oblast", Oblast), ("substance", Substance), ("group", Group), ("entry", Entry)];
            var set = others.Where(o => o.Item2 is not null).ToList();
            return set.Count switch
            {
                0 => (MonthlyRollup.All, MonthlyRollup.AllValue),
                1 => (set[0].Item1, set[0].Item2!),
                _ => null,
            };
        }
    }

    /// <summary>
    /// Roll-ups of one dimension and value over a month range; <paramref name="detection"/> "" for all methods together, a
    /// code for that method's, null for one row per method.
    /// </summary>
    private static (string Table, string Where, object[] Args) RollupWhere(IQuerySession session, (string Dimension, string Value) rollup, int from, int to,
        string? detection)
    {
        var table = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(MonthlyRollup)).TableName.QualifiedName;
        return detection is null
            ? (table, "dimension = ? and value = ? and detection <> '' and month_index between ? and ?", [rollup.Dimension, rollup.Value, from, to])
            : (table, "dimension = ? and value = ? and detection = ? and month_index between ? and ?", [rollup.Dimension, rollup.Value, detection, from, to]);
    }

    private (string Table, string Where, object[] Args) Where(IQuerySession session, int from, int to)
    {
        var table = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(MonthlyBucket)).TableName.QualifiedName;
        var where = new StringBuilder("month_index between ? and ?");
        var args = new List<object> { from, to };
        void Equal(string column, string? value)
        {
            if (value is null) return;
            where.Append(CultureInfo.InvariantCulture, $" and {column} = ?");
            args.Add(value);
        }
        // Month index and facility are duplicated, indexed columns; the other dimensions are read from the document.
        Equal("facility", Facility);
        Equal("data->>'agency'", Agency);
        Equal("data->>'oblast'", Oblast);
        Equal("data->>'substance'", Substance);
        Equal("data->>'substanceGroup'", Group);
        Equal("data->>'detection'", Detection);
        Equal("data->>'entry'", Entry);
        return (table, where.ToString(), args.ToArray());
    }

    /// <summary>
    /// A month "2015-03" or a date "2015-03-14" (its month), as a month index, its year within <see cref="Bounds.Year(Problems, string, int, DateTimeOffset)"/>; null when absent. For
    /// <paramref name="field"/> "to" a year "2015" means December, for "from" January.
    /// </summary>
    public static int? ParseMonth(Problems problems, string field, string? value, bool end, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var v = value.Trim();
        int year, month;
        if (YearOnly().IsMatch(v)) (year, month) = (int.Parse(v, CultureInfo.InvariantCulture), end ? 12 : 1);
        else if (DateTime.TryParseExact(v, ["yyyy-MM", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            (year, month) = (d.Year, d.Month);
        else
        {
            problems.Fail(field, "must be a month yyyy-MM, a date yyyy-MM-dd or a year yyyy");
            return null;
        }
        return Bounds.Year(problems, field, year, now) ? MonthlyBucket.IndexOf(year, month) : null;
    }

    [GeneratedRegex("^[0-9]{4}$")]
    private static partial Regex YearOnly();
}

/// <summary>The summed buckets of one month (months since year 0, see <see cref="MonthlyBucket.IndexOf"/>).</summary>
public sealed record MonthTotal(int MonthIndex, int Count, decimal Grams, decimal LabConfirmedGrams);

/// <summary>The summed buckets of one month and detection method.</summary>
public sealed record DetectionMonthTotal(int MonthIndex, string Detection, int Count, decimal Grams, decimal LabConfirmedGrams);

/// <summary>What <see cref="BucketFilter.FacilityTrendAsync"/> reads in one document: the facility's roll-ups by month and detection method ("" for all methods), and its effort entries' kind and amount.</summary>
public sealed record FacilityTrendRows(IReadOnlyList<DetectionMonthTotal> Rollups, IReadOnlyList<FacilityEffortRow> Effort);

/// <summary>An effort entry as the rates need it.</summary>
public sealed record FacilityEffortRow(int MonthIndex, string Kind, decimal Amount);

/// <summary>One facility's series, finds per detection method by month, and counting effort entries, of one month range.</summary>
public sealed record FacilityTrend(IReadOnlyList<MonthTotal> Months, IReadOnlyList<DetectionMonthTotal> Finds, IReadOnlyList<SeizureIntel.Intelligence.Effort.EffortRecord> Effort);
