using NetTopologySuite.Geometries;
using SeizureIntel.Geography;

namespace SeizureIntel.Facilities;

/// <summary>
/// Where a facility is, as far as a source says: a WGS 84 point (<paramref name="Lat"/>, <paramref name="Lon"/>) only
/// for <see cref="LocationPrecision.Exact"/> and <see cref="LocationPrecision.Town"/>, none otherwise, and always the
/// <paramref name="Source"/> of what is recorded (or of the search that found nothing).
/// </summary>
public sealed record FacilityLocation(double? Lat, double? Lon, LocationPrecision Precision, string Source)
{
    /// <summary>The point, longitude first, or null when the location has none.</summary>
    public Point? ToPoint() => Lat is { } lat && Lon is { } lon ? Wgs84.Point(lat, lon) : null;

    /// <summary>Why this location breaks the recording rules, or null when it keeps them.</summary>
    public string? Problem()
    {
        if (!Enum.IsDefined(Precision)) return $"has an unknown precision ({Precision})";
        if (string.IsNullOrWhiteSpace(Source)) return "has no source";
        if (Precision is LocationPrecision.Exact or LocationPrecision.Town)
        {
            if (Lat is not { } lat || Lon is not { } lon) return $"is of {Precision} precision but has no point";
            if (!Wgs84.IsValid(lat, lon)) return $"has an impossible point ({lat}, {lon})";
        }
        else if (Lat is not null || Lon is not null)
            return $"is of {Precision} precision but has a point: the point would present a guess as a position";
        return null;
    }
}
