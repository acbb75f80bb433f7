using SeizureIntel.Pipeline;
using System.Globalization;
using System.Text;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// The report as CSV (layout in README, "Annual comparison report"): sections one after another, each opened by a
/// line <c>section,&lt;name&gt;</c>, then its header line, then its rows, then an empty line. Invariant culture,
/// '\n' line ends, UTF-8 without BOM, rows in the report's stable order. Generated-at is left out on purpose, so
/// the same data and the same as-of give the same bytes.
/// </summary>
public static class AnnualReportCsv
{
    public static readonly string[] RowHeader =
    [
        "key", "name",
        "year_count", "year_grams", "year_lab_confirmed_grams", "year_without_mass",
        "baseline_count", "baseline_grams", "baseline_lab_confirmed_grams", "baseline_without_mass",
        "change_grams_percent",
    ];

    public static readonly string[] EffortHeader =
    [
        "facility", "kind", "unit",
        "year_effort", "year_months_with_effort", "year_finds", "year_grams", "year_finds_per_1000", "year_grams_per_1000",
        "baseline_effort", "baseline_months_with_effort", "baseline_finds", "baseline_grams", "baseline_finds_per_1000", "baseline_grams_per_1000",
    ];

    /// <summary>The section "national" (with national=): a substance group in a year beside the country's figure reported to UNODC.</summary>
    public static readonly string[] NationalHeader = ["year", "group", "name", "own_grams", "national_kg", "share_percent", "comments", "statement"];

    public static string Render(AnnualReport r)
    {
        var csv = new StringBuilder();
        void Line(params string?[] fields) => csv.Append(string.Join(',', fields.Select(Escape))).Append('\n');
        void Section(string name) => Line("section", name);

        Section("provenance");
        Line("field", "value");
        Line("report", "annual comparison");
        Line("year", Int(r.Year));
        Line("baseline", Int(r.Baseline));
        Line("agency", r.Agency ?? "all");
        Line("as_of", r.Provenance.AsOf is { } asOf ? Instant(asOf) : "");
        Line("high_water_mark", r.Provenance.HighWaterMark.ToString(CultureInfo.InvariantCulture));
        Line("high_water_mark_source", r.Provenance.HighWaterMarkSource);
        Line("conversion_table_version", r.Provenance.ConversionTableVersion);
        Line("node", r.Provenance.Node);
        csv.Append('\n');

        Section("headline");
        Line("text");
        Line(r.Headline);
        csv.Append('\n');

        Section("totals");
        Line("measure", "unit", "year", "baseline", "change_percent");
        Line("seizures", "count", Int(r.YearTotal.Count), Int(r.BaselineTotal.Count), "");
        Line("mass", "g", Num(r.YearTotal.Grams), Num(r.BaselineTotal.Grams), Num(r.ChangePercent));
        Line("lab_confirmed_mass", "g", Num(r.YearTotal.LabConfirmedGrams), Num(r.BaselineTotal.LabConfirmedGrams), "");
        Line("lab_confirmed_share", "percent", Num(r.YearTotal.LabConfirmedPercent), Num(r.BaselineTotal.LabConfirmedPercent), "");
        Line("without_mass", "count", Int(r.YearTotal.WithoutMass), Int(r.BaselineTotal.WithoutMass), "");
        csv.Append('\n');

        foreach (var table in r.Tables)
        {
            Section("by_" + table.Id.Replace('-', '_'));
            Line(RowHeader);
            foreach (var row in table.Rows)
                Line(row.Key, row.Name,
                    Int(row.Year.Count), Num(row.Year.Grams), Num(row.Year.LabConfirmedGrams), Int(row.Year.WithoutMass),
                    Int(row.Baseline.Count), Num(row.Baseline.Grams), Num(row.Baseline.LabConfirmedGrams), Int(row.Baseline.WithoutMass),
                    Num(row.ChangePercent));
            csv.Append('\n');
        }

        Section("joint_operations");
        Line("measure", "unit", "year", "baseline");
        var (y, b) = (r.JointOperations.Year, r.JointOperations.Baseline);
        Line("operations", "count", Int(y.Count), Int(b.Count));
        Line("seizures", "count", Int(y.Seizures), Int(b.Seizures));
        Line("mass", "g", Num(y.Grams), Num(b.Grams));
        Line("arrests", "count", Int(y.Arrests), Int(b.Arrests));
        Line("criminal_cases", "count", Int(y.Cases), Int(b.Cases));
        csv.Append('\n');

        if (r.Change is { } d)
        {
            Section("change_decomposition");
            Line("measure", "unit", "value");
            Line("change", "g", Num(d.ChangeGrams));
            Line("from_number", "g", Num(d.FromNumber));
            Line("from_size", "g", Num(d.FromSize));
            Line("year_seizures_with_mass", "count", Int(d.YearSeizures));
            Line("baseline_seizures_with_mass", "count", Int(d.BaselineSeizures));
            Line("year_mean", "g", Num(d.YearMeanGrams));
            Line("baseline_mean", "g", Num(d.BaselineMeanGrams));
            Line("from_top_1_percent", "g", Num(d.FromTopOnePercent));
            Line("change_without_top_1_percent", "g", Num(d.ChangeWithoutTopOnePercent));
            Line("year_largest", "g", Num(d.LargestYearGrams));
            Line("baseline_largest", "g", Num(d.LargestBaselineGrams));
            Line("bootstrap_lower_95", "g", Num(d.BootstrapLower));
            Line("bootstrap_upper_95", "g", Num(d.BootstrapUpper));
            if (r.Purity is { } p)
            {
                Line("purity_year_seizures", "count", Int(p.YearSeizures));
                Line("purity_baseline_seizures", "count", Int(p.BaselineSeizures));
                Line("purity_year_covered_share", "%", Num(p.YearCoveredPercent));
                Line("purity_baseline_covered_share", "%", Num(p.BaselineCoveredPercent));
                Line("pure_year", "g", Num(p.YearPureGrams));
                Line("pure_baseline", "g", Num(p.BaselinePureGrams));
                Line("pure_change", "g", Num(p.Pure?.ChangeGrams));
                Line("pure_from_number", "g", Num(p.Pure?.FromNumber));
                Line("pure_from_size", "g", Num(p.Pure?.FromSize));
            }
            Line("text", "", r.ChangeParagraph);
            csv.Append('\n');
        }

        if (r.National is { } national)
        {
            Section("national_source");
            Line("field", "value");
            Line("country", national.Country);
            Line("country_name", national.CountryName);
            Line("source", national.Source?.Source ?? "");
            Line("citation", national.Source?.Citation ?? "");
            Line("edition", national.Source?.Edition ?? "");
            Line("file_sha256", national.Source?.FileSha256 ?? "");
            Line("imported_at", national.Source is { } s ? s.ImportedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) : "");
            Line("note", national.Note ?? "");
            csv.Append('\n');
            Section("national");
            Line(NationalHeader);
            foreach (var row in national.Rows)
                Line(Int(row.Year), row.Group, row.GroupName, Num(row.OwnGrams), Num(row.NationalKg), Num(row.SharePercent), string.Join("; ", row.Comments), row.Statement);
            csv.Append('\n');
        }

        Section("effort_rates");
        Line(EffortHeader);
        foreach (var e in r.EffortRows)
            Line(e.Facility, e.Kind, e.Unit,
                Num(e.Year?.Amount), e.Year is { } ey ? Int(ey.MonthsWithEffort) : "", e.Year is { } yf ? Int(yf.Finds) : "", Num(e.Year?.Grams),
                Num(e.Year?.FindsPer1000), Num(e.Year?.GramsPer1000),
                Num(e.Baseline?.Amount), e.Baseline is { } eb ? Int(eb.MonthsWithEffort) : "", e.Baseline is { } bf ? Int(bf.Finds) : "", Num(e.Baseline?.Grams),
                Num(e.Baseline?.FindsPer1000), Num(e.Baseline?.GramsPer1000));
        return csv.ToString();
    }

    /// <summary>An instant in UTC, ISO 8601 ("2016-01-30T18:00:00Z"), whatever offset it was given with.</summary>
    public static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Exact decimals without trailing zeros (1.250 → 1.25), invariant culture; empty for none.</summary>
    public static string Num(decimal? value) =>
        value is { } v ? Intelligence.Ledger.Tally.Canonical(v).ToString(CultureInfo.InvariantCulture) : "";

    /// <summary>Quoted when needed; a text that a spreadsheet would run as a formula is neutralised (see <see cref="SafeCells"/>).</summary>
    private static string Escape(string? field)
    {
        field = SafeCells.Neutralise(field) ?? "";
        return field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }
}
