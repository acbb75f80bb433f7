using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using Npgsql;
using SeizureIntel.Geography;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>
/// Counted seizures (neither voided nor duplicates) by place, from the PostGIS seizure-locations table, as RFC 7946
/// GeoJSON FeatureCollections (<c>application/geo+json</c>, WGS 84, longitude first).
/// </summary>
public static class SeizuresNearWithinEndpoints
{
    /// <summary>
    /// Counted seizures within <c>radiusKm</c> of (lat, lon), nearest first, each with its <c>distanceKm</c> (geodesic,
    /// on the WGS 84 spheroid); <c>from</c>/<c>to</c> limit their local dates (inclusive).
    /// </summary>
    [WolverineGet("/api/seizures/near", OperationId = "seizuresNear")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static async Task<Results<JsonHttpResult<FeatureCollection>, ProblemHttpResult>> Near(
        string? lat, string? lon, string? radiusKm, string? from, string? to, NpgsqlDataSource db, IDocumentStore store, Actor by,
        CancellationToken token)
    {
        var problems = new Problems();
        var la = SpatialQuery.Number(problems, "lat", lat, -90, 90, required: true);
        var lo = SpatialQuery.Number(problems, "lon", lon, -180, 180, required: true);
        var radius = SpatialQuery.Number(problems, "radiusKm", radiusKm, 0.001, 1000, required: true);
        var (f, t) = SpatialQuery.Dates(problems, from, to);
        if (problems.Any) return TypedResults.Problem(problems.Invalid(SpatialQuery.Title));

        return TypedResults.Json(await NearAsync(db, store.Options.DatabaseSchemaName, la!.Value, lo!.Value, radius!.Value, f, t, token,
                by.VisibleFacilities),
            contentType: GeoJson.MediaType);
    }

    /// <summary>
    /// The query behind GET /api/seizures/near, parameters already checked; <paramref name="facilities"/>: only these
    /// facilities' seizures (an officer's, <see cref="Actor.VisibleFacilities"/>), null: every one.
    /// </summary>
    public static async Task<FeatureCollection> NearAsync(
        NpgsqlDataSource db, string schema, double lat, double lon, double radiusKm, DateOnly? f, DateOnly? t, CancellationToken token,
        IReadOnlyList<string>? facilities = null)
    {
        await using var command = db.CreateCommand();
        var where = SpatialQuery.Where(command, f, t, facilities);
        command.Parameters.AddWithValue("lat", lat);
        command.Parameters.AddWithValue("lon", lon);
        command.Parameters.AddWithValue("meters", radiusKm * 1000);
        // A bounding box on the geometry first, so the GIST index on geom narrows the rows the geodesic test sees.
        if (BoundingBox(lat, lon, radiusKm) is { } box)
        {
            where += " and geom && ST_MakeEnvelope(@west, @south, @east, @north, 4326)";
            command.Parameters.AddWithValue("west", box.West);
            command.Parameters.AddWithValue("south", box.South);
            command.Parameters.AddWithValue("east", box.East);
            command.Parameters.AddWithValue("north", box.North);
        }
        command.CommandText =
            $"""
             with here as (select ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography as g)
             select {SpatialQuery.Columns}, ST_Distance(geom::geography, here.g) / 1000.0 as distance_km
             from {SpatialQuery.Table(schema)}, here
             where {where} and ST_DWithin(geom::geography, here.g, @meters)
             order by distance_km, seizure_id
             """;
        var features = new FeatureCollection();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            var feature = SpatialQuery.Feature(reader);
            feature.Attributes.Add("distanceKm", Math.Round(reader.GetDouble(12), 6));
            features.Add(feature);
        }
        return features;
    }

    /// <summary>A lat/lon box that holds every point within the radius (generous), or null near a pole or the antimeridian.</summary>
    public static (double West, double South, double East, double North)? BoundingBox(double lat, double lon, double radiusKm)
    {
        var dLat = radiusKm / 110.0 * 1.01; // a degree of latitude is at least 110.57 km
        var south = lat - dLat;
        var north = lat + dLat;
        if (south <= -89 || north >= 89) return null;
        var widest = Math.Cos(Math.Max(Math.Abs(south), Math.Abs(north)) * Math.PI / 180);
        var dLon = radiusKm / (111.0 * widest) * 1.01; // a degree of longitude is 111.32 km × cos(latitude)
        if (lon - dLon <= -180 || lon + dLon >= 180) return null;
        return (lon - dLon, south, lon + dLon, north);
    }

    /// <summary>
    /// Counted seizures in an oblast (ISO 3166-2 code of the boundary file, e.g. KG-C): the seizures whose point lies in
    /// (or on the boundary of) its polygon; <c>from</c>/<c>to</c> limit their local dates.
    /// </summary>
    [WolverineGet("/api/seizures/within", OperationId = "seizuresWithinOblast")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static async Task<Results<JsonHttpResult<FeatureCollection>, ProblemHttpResult>> WithinOblast(
        string? oblast, string? from, string? to, Oblasts oblasts, NpgsqlDataSource db, IDocumentStore store, Actor by, CancellationToken token)
    {
        var problems = new Problems();
        Oblast? found = null;
        if (string.IsNullOrWhiteSpace(oblast)) problems.Fail("oblast", "is required (an ISO 3166-2 code, e.g. KG-C)");
        else if ((found = oblasts.Find(oblast)) is null)
            problems.Fail("oblast", $"'{oblast}' is not a known oblast; known: {string.Join(", ", oblasts.All.Select(o => o.Code))}");
        var (f, t) = SpatialQuery.Dates(problems, from, to);
        if (problems.Any) return TypedResults.Problem(problems.Invalid(SpatialQuery.Title));
        return TypedResults.Json(await WithinAsync(db, store.Options.DatabaseSchemaName, found!.Geometry, f, t, token, by.VisibleFacilities),
            contentType: GeoJson.MediaType);
    }

    /// <summary>
    /// Counted seizures inside a posted GeoJSON Polygon or MultiPolygon (WGS 84, longitude first; a Feature holding one is
    /// taken too); <c>from</c>/<c>to</c> limit their local dates.
    /// </summary>
    [WolverinePost("/api/seizures/within", OperationId = "seizuresWithinPolygon")]
    [ProducesResponseType(typeof(object), StatusCodes.Status200OK, GeoJson.MediaType)]
    public static async Task<Results<JsonHttpResult<FeatureCollection>, ProblemHttpResult>> WithinPolygon(
        HttpRequest request, NpgsqlDataSource db, IDocumentStore store, CancellationToken token)
    {
        var problems = new Problems();
        var (f, t) = SpatialQuery.Dates(problems, request.Query["from"], request.Query["to"]);
        var area = await ReadAreaAsync(problems, request, token);
        if (problems.Any || area is null) return TypedResults.Problem(problems.Invalid(SpatialQuery.Title));
        // Who asks, from the principal (an Actor parameter would be taken for the posted body): an officer's facilities only.
        var by = Actors.FromPrincipal(request.HttpContext.User, "");
        return TypedResults.Json(await WithinAsync(db, store.Options.DatabaseSchemaName, area, f, t, token, by.VisibleFacilities),
            contentType: GeoJson.MediaType);
    }

    private static readonly JsonSerializerOptions GeoJsonOptions = new() { Converters = { GeoJson.Converter() } };

    /// <summary>The posted polygon, checked: a (Multi)Polygon, longitudes and latitudes in range, a valid geometry.</summary>
    public static async Task<Geometry?> ReadAreaAsync(Problems problems, HttpRequest request, CancellationToken token)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: token);
        }
        catch (JsonException e)
        {
            problems.Fail("body", $"is not JSON: {e.Message}");
            return null;
        }
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && type.GetString() == "Feature")
            body = body.TryGetProperty("geometry", out var geometry) ? geometry : default;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("type", out var kind) || kind.GetString() is not ("Polygon" or "MultiPolygon"))
        {
            problems.Fail("type", "the body must be a GeoJSON Polygon or MultiPolygon (or a Feature holding one)");
            return null;
        }
        Geometry? area;
        try
        {
            area = body.Deserialize<Geometry>(GeoJsonOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            problems.Fail("coordinates", $"are not a GeoJSON polygon's: {e.Message}");
            return null;
        }
        if (area is null || area.IsEmpty)
        {
            problems.Fail("coordinates", "are empty");
            return null;
        }
        if (area.Coordinates.Any(c => !Wgs84.IsValid(c.Y, c.X)))
        {
            problems.Fail("coordinates", "must be [longitude, latitude] pairs in WGS 84 (longitude −180…180, latitude −90…90)");
            return null;
        }
        if (!area.IsValid)
        {
            problems.Fail("coordinates", "do not make a valid polygon (closed rings that do not cross themselves)");
            return null;
        }
        area.SRID = Wgs84.Srid;
        return area;
    }

    /// <summary>
    /// Counted seizures whose point lies in or on <paramref name="area"/> (SRID 4326), by local date then id;
    /// <paramref name="facilities"/>: only these facilities' seizures (an officer's), null: every one.
    /// </summary>
    public static async Task<FeatureCollection> WithinAsync(
        NpgsqlDataSource db, string schema, Geometry area, DateOnly? from, DateOnly? to, CancellationToken token,
        IReadOnlyList<string>? facilities = null)
    {
        await using var command = db.CreateCommand();
        var where = SpatialQuery.Where(command, from, to, facilities);
        command.Parameters.AddWithValue("area", area);
        command.CommandText =
            $"""
             select {SpatialQuery.Columns}
             from {SpatialQuery.Table(schema)}
             where {where} and ST_Intersects(geom, @area)
             order by local_date, seizure_id
             """;
        var features = new FeatureCollection();
        await using var reader = await command.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token)) features.Add(SpatialQuery.Feature(reader));
        return features;
    }
}
