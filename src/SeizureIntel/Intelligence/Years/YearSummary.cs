using Marten;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Years;

/// <summary>Every seizure whose local date falls in one year, across agencies and facilities. Id: the year.</summary>
public sealed class YearSummary : Summary
{
    public int Year { get; set; }
    public SortedDictionary<string, Tally> BySubstance { get; set; } = new();
    public SortedDictionary<string, Tally> ByGroup { get; set; } = new();
    public SortedDictionary<string, Tally> ByAgency { get; set; } = new();
    public SortedDictionary<string, Tally> ByFacility { get; set; } = new();
    public SortedDictionary<string, Tally> ByDetection { get; set; } = new();
    public SortedDictionary<string, Tally> ByMonth { get; set; } = new();

    public static string IdFor(int year) => year.ToString();

    protected override void AddToBreakdowns(Contribution c, int sign)
    {
        Add(BySubstance, c.Substance, c, sign);
        Add(ByGroup, c.SubstanceGroup, c, sign);
        Add(ByAgency, c.Agency, c, sign);
        Add(ByFacility, c.FacilityId, c, sign);
        Add(ByDetection, c.Detection, c, sign);
        Add(ByMonth, Rows.MonthKey(c.Month), c, sign);
    }
}

public sealed record YearSummaryView(
    int Year, int Count, decimal Grams, int WithoutMass,
    IReadOnlyList<SubstanceRow> BySubstance, IReadOnlyList<GroupRow> ByGroup, IReadOnlyList<AgencyRow> ByAgency,
    IReadOnlyList<FacilityRow> ByFacility, IReadOnlyList<DetectionRow> ByDetection, IReadOnlyList<MonthRow> ByMonth);

public static class GetYearSummaryEndpoint
{
    /// <summary>Totals of one year (seizures counted by their local date), by substance, group, agency, facility, detection and month.</summary>
    [WolverineGet("/api/years/{year}/summary", OperationId = "getYearSummary")]
    public static async Task<YearSummaryView> Get(int year, ReferenceData reference, IQuerySession session, CancellationToken token)
    {
        var s = await session.LoadAsync<YearSummary>(YearSummary.IdFor(year), token) ?? new YearSummary { Year = year };
        return new YearSummaryView(year, s.Total.Count, s.Total.Grams, s.Total.WithoutMass,
            Rows.Of(s.BySubstance, (k, t) => new SubstanceRow(k, reference.GroupOf(k), t.Count, t.Grams, t.WithoutMass)),
            Rows.Of(s.ByGroup, (k, t) => new GroupRow(k, t.Count, t.Grams, t.WithoutMass)),
            Rows.Of(s.ByAgency, (k, t) => new AgencyRow(k, t.Count, t.Grams, t.WithoutMass)),
            Rows.Of(s.ByFacility, (k, t) => new FacilityRow(k, t.Count, t.Grams, t.WithoutMass)),
            Rows.Of(s.ByDetection, (k, t) => new DetectionRow(k, t.Count, t.Grams, t.WithoutMass)),
            Rows.Of(s.ByMonth, (k, t) => new MonthRow(int.Parse(k), t.Count, t.Grams, t.WithoutMass)));
    }
}
