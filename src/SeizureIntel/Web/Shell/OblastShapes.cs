using System.Text.Json;
using NetTopologySuite.Features;
using SeizureIntel.Geography;

namespace SeizureIntel.Web.Shell;

/// <summary>The node's own oblast boundaries as one GeoJSON FeatureCollection for the maps (made once; reference data).</summary>
public sealed class OblastShapes(Oblasts oblasts)
{
    private readonly Lazy<string> _json = new(() =>
    {
        var collection = new FeatureCollection();
        foreach (var o in oblasts.All)
            collection.Add(new Feature(o.Geometry, new AttributesTable { { "code", o.Code }, { "name", o.Name } }));
        var options = new JsonSerializerOptions { Converters = { GeoJson.Converter() } };
        return JsonSerializer.Serialize(collection, options);
    });

    public string Json => _json.Value;
    public string Attribution => Oblasts.Attribution;
}
