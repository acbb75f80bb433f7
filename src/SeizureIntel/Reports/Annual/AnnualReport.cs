using SeizureIntel.Intelligence.JointOperations;

namespace SeizureIntel.Reports.Annual;

/// <summary>What a report is asked for: a year against a baseline year, as at an instant or now, for one agency or all.</summary>
/// <param name="Year">The report's year.</param>
/// <param name="Baseline">The year compared with.</param>
/// <param name="AsOf">Both years as the events recorded up to this instant give them; null: the current read models.</param>
/// <param name="Agency">One agency's records only; null: all.</param>
/// <param name="Language">en (default) or ru: the language of names, headings and the headline (see <see cref="ReportText"/>).</param>
/// <param name="National">A country (ISO 3166-1 alpha-3, e.g. KGZ) whose figures reported to UNODC the report sets its groups beside; null: none.</param>
/// <param name="Edition">The UNODC edition to cite; null: the newest imported.</param>
public sealed record AnnualReportRequest(int Year, int Baseline, DateTimeOffset? AsOf, string? Agency, string Language = ReportText.English,
    string? National = null, string? Edition = null);

/// <summary>
/// Totals of one year. Grams are best weights (lab net weight where there is one, else the field figure, exact
/// decimals); labConfirmedGrams the part of grams a lab confirmed; labConfirmedPercent that share in % (one decimal,
/// null without mass); withoutMass counts seizures with no known mass (in count, not in grams).
/// </summary>
public sealed record ReportTotals(int Count, decimal Grams, decimal LabConfirmedGrams, decimal? LabConfirmedPercent, int WithoutMass)
{
    public static readonly ReportTotals Zero = new(0, 0m, 0m, null, 0);
}

/// <summary>One line of a table: its code, its name, the year's and the baseline's totals, and the change of mass in %.</summary>
public sealed record ComparisonRow(string Key, string Name, ReportTotals Year, ReportTotals Baseline, decimal? ChangePercent);

/// <summary>A breakdown of both years by one dimension (agency, substance group, ...).</summary>
public sealed record ComparisonTable(string Id, string Title, string KeyHeader, IReadOnlyList<ComparisonRow> Rows);

/// <summary>
/// Joint operations counting in each year (launched in it, Bishkek local date), from the year summary's
/// jointOperations. With an agency filter, the operations that agency led.
/// </summary>
public sealed record JointOperationsComparison(JointOperationsYear Year, JointOperationsYear Baseline);

/// <summary>
/// Where the figures come from. <see cref="HighWaterMark"/> is the highest event sequence the figures include: with
/// an as-of instant, the highest sequence recorded at or before it; without, how far the ledger projection had got.
/// </summary>
public sealed record ReportProvenance(
    DateTimeOffset? AsOf, long HighWaterMark, string HighWaterMarkSource, string ConversionTableVersion, string Node, DateTimeOffset GeneratedAt)
{
    public const string EventsUpToAsOf = "events-up-to-as-of";
    public const string ProjectionProgress = "ledger-projection-progress";
}

/// <summary>The annual comparison report: one model that every renderer (HTML, CSV, XLSX) draws from.</summary>
public sealed record AnnualReport(
    int Year,
    int Baseline,
    string? Agency,
    string Headline,
    ReportTotals YearTotal,
    ReportTotals BaselineTotal,
    decimal? ChangePercent,
    IReadOnlyList<ComparisonTable> Tables,
    JointOperationsComparison JointOperations,
    ReportProvenance Provenance,
    string Language = ReportText.English,
    IReadOnlyList<EffortRateRow>? Effort = null,
    Intelligence.Decomposition.Decomposed? Change = null,
    string? ChangeParagraph = null,
    Intelligence.Decomposition.PurityAdjusted? Purity = null,
    Intelligence.National.NationalByGroup? National = null)
{
    /// <summary>Finds per search effort at each facility and kind with effort in either year (empty without any).</summary>
    public IReadOnlyList<EffortRateRow> EffortRows => Effort ?? [];

    public ComparisonTable Table(string id) => Tables.Single(t => t.Id == id);
}

/// <summary>One kind of search effort at a facility over a year (see GET /api/facilities/{id}/rates); null without effort that year.</summary>
public sealed record EffortYear(decimal Amount, int MonthsWithEffort, int Finds, decimal Grams, decimal? FindsPer1000, decimal? GramsPer1000);

/// <summary>A facility's kind of search effort in both years: the effort and the finds of the matching detection method.</summary>
public sealed record EffortRateRow(string Facility, string FacilityName, string Kind, string KindName, string Unit, EffortYear? Year, EffortYear? Baseline);
