using System.Text.Json;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace SeizureIntel.Geography;

/// <summary>One of Kyrgyzstan's 7 oblasts: ISO 3166-2 code (e.g. KG-C), English name and boundary (WGS 84).</summary>
public sealed record Oblast(string Code, string Name, Geometry Geometry);

/// <summary>
/// Kyrgyzstan's oblasts from the embedded boundary file <c>Geography/kgz-adm1.geojson</c> (geoBoundaries, ODbL 1.0: see
/// <c>Geography/README.md</c>), loaded once per node. Bishkek (KG-GB) and Osh city (KG-GO) are not features of that
/// file: they lie inside the Chuy (KG-C) and Osh (KG-O) polygons, so they locate there.
/// </summary>
public sealed class Oblasts
{
    /// <summary>The attribution the ODbL asks for wherever the boundaries are handed out.</summary>
    public const string Attribution =
        "Boundary data © OpenStreetMap contributors (via Wambacher's OSM boundaries), ODbL 1.0, distributed by geoBoundaries " +
        "(www.geoboundaries.org; Runfola et al. 2020, \"geoBoundaries: A global database of political administrative boundaries\", " +
        "PLoS ONE 15(4): e0231866). Derived databases must stay under ODbL (share-alike).";

    private readonly Dictionary<string, Oblast> _byCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly STRtree<(Oblast Oblast, IndexedPointInAreaLocator Locator)> _index = new();

    public Oblasts(IEnumerable<Oblast> oblasts)
    {
        All = oblasts.OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        foreach (var oblast in All)
        {
            if (oblast.Geometry is not (Polygon or MultiPolygon))
                throw new InvalidOperationException($"oblast {oblast.Code} is a {oblast.Geometry.GeometryType}, not a (multi)polygon");
            if (oblast.Geometry.SRID != Wgs84.Srid)
                throw new InvalidOperationException($"oblast {oblast.Code} has SRID {oblast.Geometry.SRID}, not {Wgs84.Srid}");
            if (!_byCode.TryAdd(oblast.Code, oblast)) throw new InvalidOperationException($"oblast {oblast.Code} is given twice");
            // The locator indexes the rings once, so each lookup costs a few segment tests instead of a walk round
            // thousands of vertices; holes (the Uzbek and Tajik enclaves in Batken) count as outside.
            _index.Insert(oblast.Geometry.EnvelopeInternal, (oblast, new IndexedPointInAreaLocator(oblast.Geometry)));
        }
        _index.Build(); // build now: a built STRtree is safe to query from many threads at once
    }

    /// <summary>Every oblast, ordered by code.</summary>
    public IReadOnlyList<Oblast> All { get; }

    /// <summary>The oblast of that ISO 3166-2 code (case-insensitive), or null.</summary>
    public Oblast? Find(string? code) => code is not null && _byCode.TryGetValue(code.Trim(), out var oblast) ? oblast : null;

    /// <summary>
    /// The oblast the position lies in (on its boundary counts as in), or null when it lies outside Kyrgyzstan — abroad,
    /// or in a foreign enclave such as Sokh — or is not a valid position. Where two oblasts share a boundary the one
    /// with the lower code answers, so the answer never depends on the order of the index.
    /// </summary>
    public Oblast? Locate(double lat, double lon)
    {
        if (!Wgs84.IsValid(lat, lon)) return null;
        var coordinate = new Coordinate(lon, lat);
        Oblast? found = null;
        foreach (var (oblast, locator) in _index.Query(new Envelope(coordinate)))
        {
            if (locator.Locate(coordinate) == Location.Exterior) continue;
            if (found is null || string.CompareOrdinal(oblast.Code, found.Code) < 0) found = oblast;
        }
        return found;
    }

    /// <summary>Whether the position lies in one of the oblasts, i.e. in Kyrgyzstan as the boundary file draws it.</summary>
    public bool IsInKyrgyzstan(double lat, double lon) => Locate(lat, lon) is not null;

    public static Oblasts LoadEmbedded()
    {
        using var stream = typeof(Oblasts).Assembly.GetManifestResourceStream("SeizureIntel.Geography.kgz-adm1.geojson")
                           ?? throw new InvalidOperationException("embedded kgz-adm1.geojson is missing");
        var options = new JsonSerializerOptions { Converters = { GeoJson.Converter() } };
        var features = JsonSerializer.Deserialize<FeatureCollection>(stream, options)
                       ?? throw new InvalidOperationException("kgz-adm1.geojson is empty");
        return new Oblasts(features.Select(feature => new Oblast(
            Text(feature, "shapeISO", options), Text(feature, "shapeName", options), feature.Geometry)));
    }

    private static string Text(IFeature feature, string property, JsonSerializerOptions options) =>
        feature.Attributes is IPartiallyDeserializedAttributesTable attributes
        && attributes.TryGetJsonObjectPropertyValue<string>(property, options, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new InvalidOperationException($"a feature of kgz-adm1.geojson has no '{property}'");
}
