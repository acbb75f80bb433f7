using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Years;

namespace SeizureIntel.Intelligence.Trends;

/// <summary>
/// Every counted seizure of one local month with one value of one dimension (agency, facility, oblast, substance, group,
/// detection, entry, or "all"), optionally split by detection method. Id: "facility|SIZO-1|2015-03|" (all detections) or
/// "facility|SIZO-1|2015-03|cell-search". Kept by <see cref="SeizureLedgerProjection"/> beside the seven-dimension
/// <see cref="MonthlyBucket"/>s: a trend, impact test or effort rate with at most one filter (plus, optionally, detection)
/// sums at most one roll-up per month (per detection), so its cost does not grow with the number of seizures, whereas the
/// buckets of a month grow towards one per seizure.
/// </summary>
public sealed class MonthlyRollup : Summary
{
    public const string All = "all", AllValue = "*";

    /// <summary>The dimensions a roll-up is kept for, in the order <see cref="Keys"/> lists them.</summary>
    public static readonly string[] Dimensions = [All, "agency", "facility", "oblast", "substance", "group", "detection", "entry"];

    public string Dimension { get; set; } = "";
    public string Value { get; set; } = "";

    /// <summary>"" for every detection method together; else the one method this roll-up counts.</summary>
    public string Detection { get; set; } = "";
    public int Year { get; set; }
    public int Month { get; set; }
    public int MonthIndex { get; set; }

    public static string IdFor(string dimension, string value, int year, int month, string detection) =>
        $"{dimension}|{value}|{year:D4}-{month:D2}|{detection}";

    /// <summary>The value a contribution has in a dimension ("none" for no facility, "unknown" for no oblast, as the buckets).</summary>
    public static string ValueOf(Contribution c, string dimension) => dimension switch
    {
        All => AllValue,
        "agency" => c.Agency,
        "facility" => c.FacilityId ?? YearSummary.NoFacility,
        "oblast" => c.Oblast ?? YearSummary.UnknownOblast,
        "substance" => c.Substance,
        "group" => c.SubstanceGroup,
        "detection" => c.Detection,
        "entry" => c.Entry,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "not a roll-up dimension"),
    };

    /// <summary>The ids of every roll-up a contribution counts in: each dimension, all detections and its own.</summary>
    public static IEnumerable<string> Keys(Contribution c)
    {
        foreach (var d in Dimensions)
        {
            var value = ValueOf(c, d);
            yield return IdFor(d, value, c.Year, c.Month, "");
            yield return IdFor(d, value, c.Year, c.Month, c.Detection);
        }
    }

    public static MonthlyRollup For(Contribution c, string id)
    {
        var parts = id.Split('|');
        return new MonthlyRollup
        {
            Id = id, Dimension = parts[0], Value = parts[1], Detection = parts[3], Year = c.Year, Month = c.Month,
            MonthIndex = MonthlyBucket.IndexOf(c.Year, c.Month),
        };
    }

    // A roll-up is one cell: its total is all there is.
    protected override void AddToBreakdowns(Contribution c, Change change) { }
}
