using SeizureIntel.Facilities;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.FacilitySummaries;

/// <summary>Counted seizures at one facility in one year of local dates. Id: "{facility}/{year}".</summary>
public sealed class FacilityYearSummary : Summary, ITracksLastSeizure
{
    public string FacilityId { get; set; } = "";
    public int Year { get; set; }
    public SortedDictionary<string, Tally> BySubstance { get; set; } = new();
    public SortedDictionary<string, Tally> ByGroup { get; set; } = new();
    public SortedDictionary<string, Tally> ByDetection { get; set; } = new();
    public SortedDictionary<string, Tally> ByMonth { get; set; } = new();
    public DateTimeOffset? LastSeizureAt { get; set; }

    public static string IdFor(string facilityId, int year) => $"{facilityId}/{year}";

    protected override void AddToBreakdowns(Contribution c, Change change)
    {
        Add(BySubstance, c.Substance, change);
        Add(ByGroup, c.SubstanceGroup, change);
        Add(ByDetection, c.Detection, change);
        Add(ByMonth, Rows.MonthKey(c.Month), change);
    }
}

public sealed record FacilityYearSummaryView(
    string FacilityId, int Year, int Count, decimal Grams, decimal LabConfirmedGrams, decimal? LabConfirmedPercent, int WithoutMass,
    IReadOnlyList<SubstanceRow> BySubstance, IReadOnlyList<GroupRow> ByGroup, IReadOnlyList<DetectionRow> ByDetection,
    IReadOnlyList<MonthRow> ByMonth, DateTimeOffset? LastSeizureAt);

public static class GetFacilityYearSummaryEndpoint
{
    /// <summary>Totals of a facility's seizures in one year (by local date at the facility), by substance, group, detection and month.</summary>
    [WolverineGet("/api/facilities/{facilityId}/years/{year}/summary", OperationId = "getFacilityYearSummary")]
    public static async Task<Results<Ok<FacilityYearSummaryView>, ProblemHttpResult>> Get(
        string facilityId, int year, FacilityCatalog catalog, ReferenceData reference, IQuerySession session, CancellationToken token)
    {
        if (catalog.Resolve(facilityId) is not { } facility) return FacilityProblems.Unknown(facilityId);
        var s = await session.LoadAsync<FacilityYearSummary>(FacilityYearSummary.IdFor(facility.Code, year), token)
                ?? new FacilityYearSummary { FacilityId = facility.Code, Year = year };
        return TypedResults.Ok(new FacilityYearSummaryView(facility.Code, year, s.Total.Count, s.Total.Grams, s.Total.LabConfirmedGrams,
            Rows.LabConfirmedShare(s.Total), s.Total.WithoutMass, Rows.Substances(s.BySubstance, reference.GroupOf), Rows.Groups(s.ByGroup),
            Rows.Detections(s.ByDetection), Rows.Months(s.ByMonth), s.LastSeizureAt));
    }
}
