using SeizureIntel.Facilities;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.FacilitySummaries;

/// <summary>All counted seizures at one facility, every year. Id: the facility code.</summary>
public sealed class FacilitySummary : Summary, ITracksLastSeizure
{
    public SortedDictionary<string, Tally> BySubstance { get; set; } = new();
    public SortedDictionary<string, Tally> ByGroup { get; set; } = new();
    public SortedDictionary<string, Tally> ByDetection { get; set; } = new();
    public DateTimeOffset? LastSeizureAt { get; set; }

    protected override void AddToBreakdowns(Contribution c, Change change)
    {
        Add(BySubstance, c.Substance, change);
        Add(ByGroup, c.SubstanceGroup, change);
        Add(ByDetection, c.Detection, change);
    }
}

public sealed record FacilitySummaryView(
    string FacilityId, int Count, decimal Grams, decimal LabConfirmedGrams, decimal? LabConfirmedPercent, int WithoutMass,
    IReadOnlyList<SubstanceRow> BySubstance, IReadOnlyList<GroupRow> ByGroup, IReadOnlyList<DetectionRow> ByDetection,
    DateTimeOffset? LastSeizureAt);

public static class GetFacilitySummaryEndpoint
{
    /// <summary>Totals of every counted seizure at a facility (code or alias), by substance, group and detection method.</summary>
    [WolverineGet("/api/facilities/{facilityId}/summary", OperationId = "getFacilitySummary")]
    public static async Task<Results<Ok<FacilitySummaryView>, ProblemHttpResult>> Get(
        string facilityId, FacilityCatalog catalog, ReferenceData reference, IQuerySession session, CancellationToken token)
    {
        if (catalog.Resolve(facilityId) is not { } facility) return FacilityProblems.Unknown(facilityId);
        var s = await session.LoadAsync<FacilitySummary>(facility.Code, token) ?? new FacilitySummary { Id = facility.Code };
        return TypedResults.Ok(new FacilitySummaryView(facility.Code, s.Total.Count, s.Total.Grams, s.Total.LabConfirmedGrams,
            Rows.LabConfirmedShare(s.Total), s.Total.WithoutMass, Rows.Substances(s.BySubstance, reference.GroupOf),
            Rows.Groups(s.ByGroup), Rows.Detections(s.ByDetection), s.LastSeizureAt));
    }
}

public static class FacilityProblems
{
    public static ProblemHttpResult Unknown(string facilityId) =>
        TypedResults.Problem(statusCode: 404, title: "Unknown facility", detail: $"No facility has the code or alias '{facilityId}'.");
}
