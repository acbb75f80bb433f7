using Microsoft.Net.Http.Headers;
using NetTopologySuite.IO.Converters;

namespace SeizureIntel.Geography;

/// <summary>GeoJSON (RFC 7946) on the wire: its media type, its serializer and when a client asks for it.</summary>
public static class GeoJson
{
    /// <summary>The media type of RFC 7946 §12; clients and map tools recognise GeoJSON by it.</summary>
    public const string MediaType = "application/geo+json";

    /// <summary>
    /// System.Text.Json converters for NetTopologySuite geometries, features and feature collections, reading into SRID
    /// 4326. Without them STJ walks a geometry's CLR properties and fails ("infinity cannot be written as valid JSON").
    /// No "bbox" is written: RFC 7946 makes it optional, and a collection whose features have no geometry has none.
    /// </summary>
    public static GeoJsonConverterFactory Converter() =>
        new(Wgs84.Factory, writeGeometryBBox: false, GeoJsonConverterFactory.DefaultIdPropertyName, RingOrientationOption.EnforceRfc9746);

    /// <summary>
    /// Whether the request's Accept header prefers GeoJSON: it names <c>application/geo+json</c> with a quality above zero
    /// and at least that of <c>application/json</c>. Wildcards (<c>*/*</c>) keep the plain JSON answer, so existing
    /// clients see no change.
    /// </summary>
    public static bool IsPreferredBy(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        double geo = 0, json = 0;
        foreach (var type in accepted)
        {
            var quality = type.Quality ?? 1.0;
            if (type.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase)) geo = Math.Max(geo, quality);
            else if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)) json = Math.Max(json, quality);
        }
        return geo > 0 && geo >= json;
    }
}
