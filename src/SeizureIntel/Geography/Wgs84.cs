using NetTopologySuite;
using NetTopologySuite.Geometries;

namespace SeizureIntel.Geography;

/// <summary>
/// WGS 84 longitude/latitude (SRID 4326), the one coordinate system of the service: NetTopologySuite in C#, PostGIS in
/// the database and GeoJSON on the wire all use it. NTS coordinates are X = longitude, Y = latitude, so callers pass
/// (lat, lon) here by name and never build a <see cref="Coordinate"/> themselves in the wrong order.
/// </summary>
public static class Wgs84
{
    public const int Srid = 4326;

    /// <summary>Makes every geometry read or built by the service carry SRID 4326, which PostGIS checks on insert.</summary>
    public static GeometryFactory Factory { get; } = NtsGeometryServices.Instance.CreateGeometryFactory(Srid);

    /// <summary>True when the pair is a real position: finite, latitude within ±90°, longitude within ±180°.</summary>
    public static bool IsValid(double lat, double lon) =>
        double.IsFinite(lat) && double.IsFinite(lon) && lat is >= -90 and <= 90 && lon is >= -180 and <= 180;

    /// <summary>The point at that latitude and longitude (stored longitude first, as GeoJSON and PostGIS expect).</summary>
    public static Point Point(double lat, double lon) => Factory.CreatePoint(new Coordinate(lon, lat));
}
