using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace SeizureIntel.Facilities;

public sealed record FacilityList(string Source, IReadOnlyList<Facility> Facilities);

public static class GetFacilitiesEndpoint
{
    /// <summary>Every facility of the catalogue, open and closed, with aliases, type and time zone.</summary>
    [WolverineGet("/api/facilities", OperationId = "listFacilities")]
    public static FacilityList List(FacilityCatalog catalog) => new(catalog.Source, catalog.All);

    /// <summary>One facility, by code or alias.</summary>
    [WolverineGet("/api/facilities/{facilityId}", OperationId = "getFacility")]
    public static Results<Ok<Facility>, ProblemHttpResult> Get(string facilityId, FacilityCatalog catalog) =>
        catalog.Resolve(facilityId) is { } facility
            ? TypedResults.Ok(facility)
            : TypedResults.Problem(statusCode: 404, title: "Unknown facility", detail: $"No facility has the code or alias '{facilityId}'.");
}
