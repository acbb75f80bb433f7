using NetTopologySuite.Features;
using SeizureIntel.Geography;

namespace SeizureIntel.Facilities;

/// <summary>
/// The catalogue as an RFC 7946 FeatureCollection for map tools: one Feature per facility, its geometry the recorded
/// point (longitude first) or null when none is known — a facility without a known position is still listed, not
/// dropped or placed at a guessed one. Precision and source go with every feature so a map can say how far to trust it.
/// </summary>
public static class FacilityFeatures
{
    public static FeatureCollection Of(IEnumerable<Facility> facilities)
    {
        var collection = new FeatureCollection();
        foreach (var facility in facilities) collection.Add(Of(facility));
        return collection;
    }

    public static Feature Of(Facility facility) =>
        new(facility.Location.ToPoint(), new AttributesTable
        {
            { "code", facility.Code },
            { "name", facility.Name },
            { "type", facility.Type },
            { "state", facility.State },
            { "aliases", facility.Aliases },
            { "oblast", facility.Oblast },
            { "precision", Code(facility.Location.Precision) },
            { "source", facility.Location.Source },
        });

    /// <summary>The precision as the JSON answer spells it ("town"), whatever serializer writes the properties.</summary>
    private static string Code(LocationPrecision precision) => precision.ToString().ToLowerInvariant();
}
