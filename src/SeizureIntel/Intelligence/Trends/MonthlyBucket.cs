using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Years;

namespace SeizureIntel.Intelligence.Trends;

/// <summary>
/// Every counted seizure of one local month that shares all the analysts' dimensions: agency, facility, oblast,
/// substance (and so its group), detection method and method of entry. Id:
/// "2015-03|SSEP|SIZO-1|KG-C|heroin|cell-search|parcel-post". Kept by <see cref="SeizureLedgerProjection"/>, so a
/// correction, void, duplicate mark or lab result moves the seizure's contribution between buckets; trends,
/// comparisons and impact tests sum buckets instead of scanning events.
/// </summary>
public sealed class MonthlyBucket : Summary
{
    public int Year { get; set; }
    public int Month { get; set; }

    /// <summary>Months since year 0 (year × 12 + month − 1): one integer for range filters across year ends.</summary>
    public int MonthIndex { get; set; }

    public string Agency { get; set; } = "";

    /// <summary>The facility's code, or "none" for a seizure with only its own location.</summary>
    public string Facility { get; set; } = "";

    /// <summary>ISO 3166-2 code, or "unknown".</summary>
    public string Oblast { get; set; } = "";
    public string Substance { get; set; } = "";
    public string SubstanceGroup { get; set; } = "";
    public string Detection { get; set; } = "";
    public string Entry { get; set; } = "";

    public static int IndexOf(int year, int month) => year * 12 + month - 1;

    public static string IdFor(Contribution c) =>
        $"{c.Year:D4}-{c.Month:D2}|{c.Agency}|{c.FacilityId ?? YearSummary.NoFacility}|{c.Oblast ?? YearSummary.UnknownOblast}|{c.Substance}|{c.Detection}|{c.Entry}";

    public static MonthlyBucket For(Contribution c) => new()
    {
        Id = IdFor(c),
        Year = c.Year,
        Month = c.Month,
        MonthIndex = IndexOf(c.Year, c.Month),
        Agency = c.Agency,
        Facility = c.FacilityId ?? YearSummary.NoFacility,
        Oblast = c.Oblast ?? YearSummary.UnknownOblast,
        Substance = c.Substance,
        SubstanceGroup = c.SubstanceGroup,
        Detection = c.Detection,
        Entry = c.Entry,
    };

    // A bucket is one cell: its total is all there is.
    protected override void AddToBreakdowns(Contribution c, Change change) { }
}
