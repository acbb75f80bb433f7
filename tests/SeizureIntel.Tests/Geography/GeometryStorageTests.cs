using System.Text.Json;
using Marten;
using NetTopologySuite.Geometries;
using SeizureIntel.Geography;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Geography;

/// <summary>Marten's serializer writes NetTopologySuite geometries as GeoJSON, so seizure locations can be stored as points.</summary>
public sealed class GeometryStorageTests(NodeFixture fixture) : NodeTest(fixture)
{
    /// <summary>A document holding a point, as seizure locations will be stored.</summary>
    public sealed record GeoProbe(Guid Id, Point Where);

    [Fact]
    public async Task the_document_store_keeps_nts_points_as_geojson_with_srid_4326()
    {
        var probe = new GeoProbe(Guid.NewGuid(), Wgs84.Point(42.873, 74.6));
        await using (var session = Store.LightweightSession())
        {
            session.Store(probe);
            await session.SaveChangesAsync();
        }
        await using var query = Store.QuerySession();
        var loaded = (await query.LoadAsync<GeoProbe>(probe.Id))!;
        loaded.Where.X.ShouldBe(74.6);
        loaded.Where.Y.ShouldBe(42.873);
        loaded.Where.SRID.ShouldBe(4326);
        var json = (await query.Json.FindByIdAsync<GeoProbe>(probe.Id))!;
        JsonSerializer.Deserialize<JsonElement>(json).GetProperty("where").GetProperty("coordinates")[0].GetDouble().ShouldBe(74.6);
    }
}
