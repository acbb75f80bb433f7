using SeizureIntel.Intelligence.Decomposition;
using SeizureIntel.Intelligence.Effort;
using System.Globalization;
using Marten;
using Npgsql;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Years;
using SeizureIntel.Intelligence.JointOperations;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// Computes the annual comparison report from the same figures as GET /api/years/{year}/summary: without as-of from
/// the year read models (and the operations' current state), with as-of from the events recorded up to that instant
/// (<see cref="LedgerReplay"/>, <see cref="JointOperationYears"/>), so a report as at a cut-off date never changes
/// when later corrections arrive.
/// </summary>
public sealed class AnnualReports(
    IDocumentStore store, NpgsqlDataSource dataSource, ReferenceData reference, QuantityConverter converter,
    FacilityCatalog facilities, Oblasts oblasts, NodeIdentity node, TimeProvider time)
{
    public static readonly (string Id, string Title, string KeyHeader)[] TableDefinitions =
    [
        ("agency", "By agency", "agency"),
        ("substance-group", "By substance group (UNODC)", "substance group"),
        ("substance", "By substance", "substance"),
        ("facility", "By facility", "facility"),
        ("oblast", "By oblast", "oblast"),
        ("detection", "By how found (detection)", "detection"),
        ("entry", "By method of entry", "method of entry"),
        ("month", "By month (local date)", "month"),
    ];

    public async Task<AnnualReport> BuildAsync(AnnualReportRequest request, CancellationToken token)
    {
        await using var session = store.QuerySession();
        YearSummary year, baseline;
        long highWaterMark;
        string source;
        if (request.AsOf is { } asOf)
        {
            // One replay serves both years, so both are as at the same instant.
            var facts = await LedgerReplay.FactsAsOfAsync(session, asOf, converter, token);
            year = YearSummary.From(facts, request.Year, request.Agency, reference);
            baseline = YearSummary.From(facts, request.Baseline, request.Agency, reference);
            highWaterMark = await ScalarAsync(
                $"select coalesce(max(seq_id), 0) from {EventSchema}.mt_events where timestamp <= @asOf", asOf, token);
            source = ReportProvenance.EventsUpToAsOf;
        }
        else
        {
            // Read the progress first: the read models are at least that far when they are read after it.
            highWaterMark = await ScalarAsync(
                $"select coalesce(max(last_seq_id), 0) from {EventSchema}.mt_event_progression where name like '{SeizureLedgerProjection.Name}:%'",
                null, token);
            source = ReportProvenance.ProjectionProgress;
            year = await session.LoadAsync<YearSummary>(YearSummary.IdFor(request.Year, request.Agency), token)
                   ?? new YearSummary { Year = request.Year, Agency = request.Agency };
            baseline = await session.LoadAsync<YearSummary>(YearSummary.IdFor(request.Baseline, request.Agency), token)
                       ?? new YearSummary { Year = request.Baseline, Agency = request.Agency };
        }

        var operations = new JointOperationsComparison(
            (await JointOperationYears.ComputeAsync(session, request.Year, request.AsOf, converter, token)).LedBy(request.Agency),
            (await JointOperationYears.ComputeAsync(session, request.Baseline, request.AsOf, converter, token)).LedBy(request.Agency));

        var provenance = new ReportProvenance(request.AsOf, highWaterMark, source, converter.Table.Version, node.Agency, time.GetUtcNow());
        var effort = EffortRows(request.Language,
            await YearRates.ForYearAsync(session, request.Year, request.AsOf, request.Agency, reference, converter, token),
            await YearRates.ForYearAsync(session, request.Baseline, request.AsOf, request.Agency, reference, converter, token));
        // The change in grams split into number, size and the largest seizures, from the same seizures as the totals,
        // and the same split of pure substance where the lab gave a purity.
        IEnumerable<SeizureFact> allFacts = request.AsOf is { } cut
            ? await LedgerReplay.FactsAsOfAsync(session, cut, converter, token)
            : await session.Query<SeizureFact>().ToListAsync(token);
        var masses = PurityAdjustment.Masses(allFacts, await PurityAdjustment.PuritiesAsync(session, request.AsOf, token), reference,
            request.Year, request.Baseline, request.Agency);
        var change = ChangeDecomposition.Decompose(masses.Where(m => m.Contribution.Year == request.Year).Select(m => m.Grams).ToList(),
            masses.Where(m => m.Contribution.Year == request.Baseline).Select(m => m.Grams).ToList(), GetDecompositionEndpoint.Samples, 17);
        var purity = PurityAdjustment.Adjust(masses, request.Year, request.Baseline, GetDecompositionEndpoint.Samples, 17);
        // Beside the national figures (national=KGZ): the same groups as the report's "by substance group" table, as at
        // the same instant; with no UNODC edition imported the section says so instead of showing any figure.
        Intelligence.National.NationalByGroup? national = null;
        if (request.National is { } country)
        {
            var own = new[] { baseline, year }.SelectMany(s => s.ByGroup.Select(g => (Key: (s.Year, g.Key), g.Value.Grams))).ToDictionary(x => x.Key, x => x.Grams);
            var (built, missing) = await Intelligence.National.NationalComparison.ByGroupAsync(session, reference, country, request.Edition,
                [request.Baseline, request.Year], own, request.Agency, request.Language, noneIsNote: true, token);
            // who imported the edition is a staff account: a report names none (as it names no recording officer)
            if (built?.Source is { } cited) built = built with { Source = cited with { ImportedBy = "" } };
            national = built ?? new Intelligence.National.NationalByGroup(null, country, country, [], ReportText.IsRussian(request.Language)
                ? $"Издание UNODC {request.Edition} не загружено, поэтому сравнение с национальными данными не приводится."
                : $"UNODC edition {request.Edition} is not imported, so no national figures are shown.");
        }
        return Compose(request, year, baseline, operations, provenance) with
        {
            Effort = effort, Change = change, Purity = purity, National = national,
            ChangeParagraph = ChangeDecomposition.Paragraph(change, request.Year, request.Baseline, request.Language, purity),
        };
    }

    /// <summary>A named UNODC edition that is not imported: the 404 the API answers (and the command line prints); null when all is well.</summary>
    public async Task<Microsoft.AspNetCore.Mvc.ProblemDetails?> MissingEditionAsync(AnnualReportRequest request, CancellationToken token)
    {
        if (request.National is null || string.IsNullOrWhiteSpace(request.Edition)) return null;
        await using var session = store.QuerySession();
        return await Intelligence.National.NationalFigures.EditionAsync(session, request.Edition, token) is null
            ? Intelligence.National.NationalFigures.Missing(request.Edition) : null;
    }

    /// <summary>Pure: both years' rates side by side, by facility code then the vocabulary's order of kinds.</summary>
    public IReadOnlyList<EffortRateRow> EffortRows(string language, IReadOnlyList<FacilityEffort> year, IReadOnlyList<FacilityEffort> baseline)
    {
        static EffortYear? Of(IReadOnlyList<FacilityEffort> rows, string facility, string kind) =>
            rows.FirstOrDefault(f => f.Facility == facility)?.Kinds.FirstOrDefault(k => k.Kind == kind) is { Amount: { } amount } k
                ? new EffortYear(amount, k.MonthsWithEffort, k.Finds, k.Grams, k.FindsPer1000, k.GramsPer1000)
                : null;
        var kinds = reference.Vocabulary(ReferenceData.EffortKinds) ?? [];
        return year.Concat(baseline).Select(f => f.Facility).Distinct().Order(StringComparer.Ordinal)
            .SelectMany(facility => kinds.Select(kind => new EffortRateRow(facility, facilities.Resolve(facility)?.Name ?? facility, kind.Code,
                kind.Name(language), kind.Kind ?? "screenings", Of(year, facility, kind.Code), Of(baseline, facility, kind.Code))))
            .Where(r => r.Year is not null || r.Baseline is not null)
            .ToList();
    }

    /// <summary>Pure: the report from two years' summaries (however they were obtained).</summary>
    public AnnualReport Compose(AnnualReportRequest request, YearSummary year, YearSummary baseline, JointOperationsComparison operations,
        ReportProvenance provenance)
    {
        var lang = request.Language;
        var tables = new List<ComparisonTable>
        {
            Table(lang, "agency", year.ByAgency, baseline.ByAgency, AgencyName),
            Table(lang, "substance-group", year.ByGroup, baseline.ByGroup, k => reference.Find(ReferenceData.SubstanceGroups, k)?.Name(lang) ?? k),
            Table(lang, "substance", year.BySubstance, baseline.BySubstance, k => reference.Find(ReferenceData.Substances, k)?.Name(lang) ?? k),
            Table(lang, "facility", year.ByFacility, baseline.ByFacility,
                k => k == YearSummary.NoFacility ? ReportText.T(lang, "no facility (own location)") : facilities.Resolve(k)?.Name ?? k),
            Table(lang, "oblast", year.ByOblast, baseline.ByOblast, k => k == YearSummary.UnknownOblast ? ReportText.T(lang, "unknown") : oblasts.Find(k)?.Name ?? k),
            Table(lang, "detection", year.ByDetection, baseline.ByDetection, k => reference.Find(ReferenceData.DetectionMethods, k)?.Name(lang) ?? k),
            Table(lang, "entry", year.ByEntry, baseline.ByEntry,
                k => k == "unknown" ? ReportText.T(lang, "not recorded") : reference.Find(ReferenceData.EntryMethods, k)?.Name(lang) ?? k),
            MonthTable(lang, year.ByMonth, baseline.ByMonth),
        };
        var y = Totals(year.Total);
        var b = Totals(baseline.Total);
        var agencies = year.ByAgency.Where(p => p.Value.Count > 0)
            .OrderByDescending(p => p.Value.Grams).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();
        if (request.Agency is not null) agencies = [request.Agency];
        return new AnnualReport(request.Year, request.Baseline, request.Agency,
            ReportText.IsRussian(lang) ? HeadlineRu(request.Year, request.Baseline, agencies, y.Grams, b.Grams)
                : Headline(request.Year, request.Baseline, agencies, y.Grams, b.Grams), y, b, Change(y.Grams, b.Grams),
            tables, operations, provenance, lang);
    }


    private string EventSchema => store.Options.Events.DatabaseSchemaName;

    private async Task<long> ScalarAsync(string sql, DateTimeOffset? asOf, CancellationToken token)
    {
        await using var command = dataSource.CreateCommand(sql);
        if (asOf is { } at) command.Parameters.AddWithValue("asOf", at.UtcDateTime);
        return Convert.ToInt64(await command.ExecuteScalarAsync(token), CultureInfo.InvariantCulture);
    }

    public static string AgencyName(string code) => code;

    public static ReportTotals Totals(Tally? t) =>
        t is null ? ReportTotals.Zero : new ReportTotals(t.Count, t.Grams, t.LabConfirmedGrams, Rows.LabConfirmedShare(t), t.WithoutMass);

    /// <summary>Change of mass from baseline to year in %, one decimal; null when the baseline has no mass.</summary>
    public static decimal? Change(decimal year, decimal baseline) => Rows.PercentChange(year - baseline, baseline);

    /// <summary>Grams as kilograms with one decimal, the working group's style ("140.9 kg").</summary>
    public static string Kg(decimal grams) =>
        Math.Round(grams / 1000m, 1, MidpointRounding.AwayFromZero).ToString("0.0", CultureInfo.InvariantCulture) + " kg";

    /// <summary>
    /// "In 2015 SSEP and SSDC withdrew 140.9 kg of narcotic drugs (119.9 kg in 2014), an increase of 17.5 %."
    /// Agencies in order of the mass they withdrew; 'a decrease of' when lower; no change clause without a baseline mass.
    /// </summary>
    public static string Headline(int year, int baselineYear, IReadOnlyList<string> agencies, decimal grams, decimal baselineGrams)
    {
        var who = agencies.Count switch
        {
            0 => "no agency",
            1 => agencies[0],
            _ => string.Join(", ", agencies.Take(agencies.Count - 1)) + " and " + agencies[^1],
        };
        var then = baselineGrams == 0 ? $"none in {baselineYear}" : $"{Kg(baselineGrams)} in {baselineYear}";
        var change = Change(grams, baselineGrams) switch
        {
            null => "",
            0m => ", unchanged",
            > 0 and var p => ", an increase of " + p.ToString("0.0", CultureInfo.InvariantCulture) + " %",
            var p => ", a decrease of " + (-p!.Value).ToString("0.0", CultureInfo.InvariantCulture) + " %",
        };
        return $"In {year} {who} withdrew {Kg(grams)} of narcotic drugs ({then}){change}.";
    }

    /// <summary>The headline in Russian: "В 2015 году SSEP и SSDC изъяли 140,9 кг наркотических средств (в 2014 году — 119,9 кг), рост на 17,5 %."</summary>
    public static string HeadlineRu(int year, int baselineYear, IReadOnlyList<string> agencies, decimal grams, decimal baselineGrams)
    {
        var ru = CultureInfo.GetCultureInfo("ru-RU");
        string KgRu(decimal g) => Math.Round(g / 1000m, 1, MidpointRounding.AwayFromZero).ToString("0.0", ru) + " кг";
        var who = agencies.Count switch
        {
            0 => "ни одно ведомство не",
            1 => agencies[0],
            _ => string.Join(", ", agencies.Take(agencies.Count - 1)) + " и " + agencies[^1],
        };
        var then = baselineGrams == 0 ? $"в {baselineYear} году — нет" : $"в {baselineYear} году — {KgRu(baselineGrams)}";
        var change = Change(grams, baselineGrams) switch
        {
            null => "",
            0m => ", без изменений",
            > 0 and var p => ", рост на " + p.ToString("0.0", ru) + " %",
            var p => ", снижение на " + (-p!.Value).ToString("0.0", ru) + " %",
        };
        var verb = agencies.Count == 1 ? "изъяло" : "изъяли";
        return $"В {year} году {who} {verb} {KgRu(grams)} наркотических средств ({then}){change}.";
    }

    private static ComparisonTable Table(string lang, string id, IReadOnlyDictionary<string, Tally> year, IReadOnlyDictionary<string, Tally> baseline,
        Func<string, string> name)
    {
        var (_, title, keyHeader) = TableDefinitions.Single(d => d.Id == id);
        (title, keyHeader) = (ReportText.T(lang, title), ReportText.T(lang, keyHeader));
        var rows = year.Keys.Union(baseline.Keys)
            .Select(k => Row(k, name(k), year.GetValueOrDefault(k), baseline.GetValueOrDefault(k)))
            // Stable: by the year's mass, then the baseline's, then the code.
            .OrderByDescending(r => r.Year.Grams).ThenByDescending(r => r.Baseline.Grams).ThenBy(r => r.Key, StringComparer.Ordinal)
            .ToList();
        return new ComparisonTable(id, title, keyHeader, rows);
    }

    private static ComparisonTable MonthTable(string lang, IReadOnlyDictionary<string, Tally> year, IReadOnlyDictionary<string, Tally> baseline)
    {
        var (_, title, keyHeader) = TableDefinitions.Single(d => d.Id == "month");
        (title, keyHeader) = (ReportText.T(lang, title), ReportText.T(lang, keyHeader));
        var rows = Enumerable.Range(1, 12).Select(m => Rows.MonthKey(m))
            .Select(k => Row(k, ReportText.MonthName(lang, int.Parse(k, CultureInfo.InvariantCulture)),
                year.GetValueOrDefault(k), baseline.GetValueOrDefault(k)))
            .ToList();
        return new ComparisonTable("month", title, keyHeader, rows);
    }

    private static ComparisonRow Row(string key, string name, Tally? year, Tally? baseline)
    {
        var y = Totals(year);
        var b = Totals(baseline);
        return new ComparisonRow(key, name, y, b, Change(y.Grams, b.Grams));
    }
}
