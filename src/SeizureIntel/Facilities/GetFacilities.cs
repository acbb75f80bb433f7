using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using NetTopologySuite.Features;
using SeizureIntel.Geography;
using Wolverine.Http;

namespace SeizureIntel.Facilities;

public sealed record FacilityList(string Source, IReadOnlyList<Facility> Facilities);

public static class GetFacilitiesEndpoint
{
    /// <summary>
    /// Every facility of the catalogue, open and closed, with aliases, type, time zone, oblast and location. With
    /// <c>Accept: application/geo+json</c> the same catalogue comes as a GeoJSON FeatureCollection for map tools.
    /// </summary>
    [WolverineGet("/api/facilities", OperationId = "listFacilities")]
    public static Results<Ok<FacilityList>, JsonHttpResult<FeatureCollection>> List(FacilityCatalog catalog, HttpContext context)
    {
        // One URL, two representations: caches must key on Accept.
        context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Accept);
        return GeoJson.IsPreferredBy(context.Request)
            ? TypedResults.Json(FacilityFeatures.Of(catalog.All), contentType: GeoJson.MediaType)
            : TypedResults.Ok(new FacilityList(catalog.Source, catalog.All));
    }

    /// <summary>One facility, by code or alias.</summary>
    [WolverineGet("/api/facilities/{facilityId}", OperationId = "getFacility")]
    public static Results<Ok<Facility>, ProblemHttpResult> Get(string facilityId, FacilityCatalog catalog) =>
        catalog.Resolve(facilityId) is { } facility
            ? TypedResults.Ok(facility)
            : TypedResults.Problem(statusCode: 404, title: "Unknown facility", detail: $"No facility has the code or alias '{facilityId}'.");
}
