using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Features;
using Wolverine.Http;

namespace SeizureIntel.Geography;

/// <summary>An oblast as listed: its ISO 3166-2 code and English name.</summary>
public sealed record OblastListItem(string Code, string Name);

public static class GetOblastsEndpoint
{
    /// <summary>Kyrgyzstan's 7 oblasts (codes and names) that facilities and seizures are located in.</summary>
    [WolverineGet("/api/oblasts", OperationId = "listOblasts")]
    public static IReadOnlyList<OblastListItem> List(Oblasts oblasts) => oblasts.All.Select(o => new OblastListItem(o.Code, o.Name)).ToList();

    /// <summary>
    /// One oblast's boundary as a GeoJSON Feature (<c>application/geo+json</c>, longitude first), ready for a map. Its
    /// properties are code, name and the ODbL attribution that must go with the boundary wherever it is shown.
    /// </summary>
    [WolverineGet("/api/oblasts/{code}", OperationId = "getOblast")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static Results<JsonHttpResult<Feature>, ProblemHttpResult> Get(string code, Oblasts oblasts) =>
        oblasts.Find(code) is { } oblast
            ? TypedResults.Json(Feature(oblast), contentType: GeoJson.MediaType)
            : TypedResults.Problem(statusCode: 404, title: "Unknown oblast",
                detail: $"No oblast has the code '{code}'; known: {string.Join(", ", oblasts.All.Select(o => o.Code))}.");

    private static Feature Feature(Oblast oblast) =>
        new(oblast.Geometry, new AttributesTable
        {
            { "code", oblast.Code },
            { "name", oblast.Name },
            { "attribution", Oblasts.Attribution },
        });
}
