using System.Globalization;
using System.Text.Json;
using Alba;
using JasperFx.Events.Daemon;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Contracts;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Sharing;
using SeizureIntel.Tests.Intelligence.Spatial;
using SeizureIntel.Tests.Support;
using Wolverine;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// Partner records on the map: a seizure shared by its origin is on the receiver's /api/seizures/near, /within and
/// /api/hotspots once, under its origin agency, at the point the test expects (its own point, or SIZO-1's town point),
/// and leaves them when the origin voids or withdraws it. Expected distances are the test's own haversine, expected
/// oblast membership its own point-in-polygon test over the boundary the node serves.
/// </summary>
public abstract class SpatialSharingScenarios(TwoNodes nodes) : IAsyncLifetime
{
    private const double SizoLat = 42.8730, SizoLon = 74.6000; // SIZO-1: Bishkek's town centre (facilities-kg.json)
    private const double RadiusKm = 400; // from SIZO-1: Bishkek, Osh and Karakol alike

    // A change crosses two nodes and two async daemons: on a loaded 2-core CI machine (one CI run) a duplicate mark
    // took longer than 30 s to leave a map. The wait ends as soon as the map is right; only a wrong map waits it out.
    private const int MapSettleSeconds = 120;

    private IAlbaHost Ssep => nodes.Ssep;
    private IAlbaHost Ssdc => nodes.Ssdc;

    public Task InitializeAsync() => nodes.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A seizure as the test expects to see it on a map; Lat/Lon null means SIZO-1's town point.</summary>
    private sealed record Pin(string Name, string Agency, Guid Id, double? OwnLat, double? OwnLon, string? Facility, decimal Grams)
    {
        public double Lat => OwnLat ?? SizoLat;
        public double Lon => OwnLon ?? SizoLon;
        public string Precision => OwnLat is null ? "town" : "exact";
        public double Km => Geo.HaversineKm(SizoLat, SizoLon, Lat, Lon);
    }

    private static object Body(string? facility, double? lat, double? lon, decimal grams) => new
    {
        facilityId = facility,
        occurredAt = "2015-05-05T06:00:00+06:00",
        substance = "heroin",
        quantity = new { value = grams, unit = "g" },
        detection = lat is null ? "visitor-search" : "intelligence-led",
        location = lat is { } la && lon is { } lo ? new { lat = la, lon = lo } : null,
    };

    private static async Task<Pin> PlaceAsync(IAlbaHost host, string agency, string name, string? facility, double? lat, double? lon, decimal grams) =>
        new(name, agency, (await host.RecordAsync(Body(facility, lat, lon, grams))).Id, lat, lon, facility, grams);

    [Fact]
    public async Task a_partners_seizures_are_on_the_receivers_map_once_under_their_origin_agency_and_leave_it_when_voided_or_withdrawn()
    {
        // SSEP's records: own points, SIZO-1's town point, and one at a facility without a point (on no map).
        var east = await PlaceAsync(Ssep, "SSEP", "bishkek-east", null, 42.90, 74.65, 100m);
        var sizo = await PlaceAsync(Ssep, "SSEP", "sizo-1", "SIZO-1", null, null, 5m);
        var labbed = await PlaceAsync(Ssep, "SSEP", "sizo-1, lab-weighed", "SIZO-1", null, null, 50m);
        var osh = await PlaceAsync(Ssep, "SSEP", "osh", null, 40.513, 72.816, 10m);
        var sizoVoided = await PlaceAsync(Ssep, "SSEP", "sizo-1, to be voided", "SIZO-1", null, null, 7m);
        var kantVoided = await PlaceAsync(Ssep, "SSEP", "kant, to be voided", null, 42.89, 74.85, 70m);
        var withdrawn = await PlaceAsync(Ssep, "SSEP", "bishkek-west, to be withdrawn", "SIZO-1", 42.85, 74.55, 30m);
        var nowhere = await Ssep.RecordAsync(Body("IK-3", null, null, 1m));
        await Ssep.ChangeAsync(labbed.Id, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-21", submittedAt = "2015-05-06T10:00:00+06:00" }, 1);
        await Ssep.ChangeAsync(labbed.Id, "lab-results", new
        {
            confirmedSubstance = "heroin", netWeightGrams = 42.5m, techniques = new[] { new { name = "GC-MS", category = "A" } },
            analyst = "analyst-3", reportDate = "2015-05-20",
        }, 2);
        labbed = labbed with { Grams = 42.5m };

        // SSDC's own record, and its record of SSEP's bishkek-east seizure, marked the duplicate once SSEP's has arrived.
        var mine = await PlaceAsync(Ssdc, "SSDC", "ssdc's own", null, 42.88, 74.62, 20m);
        var twin = await Ssdc.RecordAsync(Body(null, 42.90, 74.65, 100m));
        await EventuallyAsync(async () =>
        {
            var result = await Ssdc.Scenario(s => { s.Get.Url($"/api/seizures/{east.Id}"); s.IgnoreStatusCode(); });
            return result.Context.Response.StatusCode == 200;
        }, "SSDC holds SSEP's bishkek-east record");
        await Ssdc.ChangeAsync(twin.Id, "duplicate-of", new { duplicateOf = east.Id, reason = "same parcel, seized in a joint search" }, 1);

        List<Pin> everything = [east, sizo, labbed, osh, sizoVoided, kantVoided, withdrawn, mine];
        foreach (var (node, host) in new[] { ("SSEP", Ssep), ("SSDC", Ssdc) })
            await MapShouldShowAsync(node, host, everything, noneOf: [twin.Id, nowhere.Id]);

        // SSEP voids two records, moves one point to another oblast, and stops sharing one with SSDC (its policy no longer
        // covers it): SSDC's map follows; SSEP's keeps the record it only stopped sharing.
        await Ssep.ChangeAsync(sizoVoided.Id, "void", new { reason = "test parcel, not a seizure" }, 1);
        await Ssep.ChangeAsync(kantVoided.Id, "void", new { reason = "entered twice" }, 1);
        await Ssep.ChangeAsync(osh.Id, "corrections", new { reason = "wrong checkpoint", location = new { lat = 42.49, lon = 78.39 } }, 1);
        var karakol = osh with { Name = "karakol (was osh)", OwnLat = 42.49, OwnLon = 78.39 };
        await WithdrawFromSsdcAsync(withdrawn.Id, version: 2);

        List<Pin> counted = [east, sizo, labbed, karakol, mine];
        await MapShouldShowAsync("SSDC", Ssdc, counted, noneOf: [twin.Id, nowhere.Id, sizoVoided.Id, kantVoided.Id, withdrawn.Id]);
        await MapShouldShowAsync("SSEP", Ssep, [.. counted, withdrawn], noneOf: [twin.Id, nowhere.Id, sizoVoided.Id, kantVoided.Id]);

        // Rebuilt from SSDC's own events (partner records, their new versions and withdrawals included), its ledger and
        // locations table are exactly what it kept live.
        await Ssdc.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var live = await LedgerSnapshot.TakeAsync(nodes.SchemaOf("SSDC"));
        live[LedgerSnapshot.Locations].Count.ShouldBe(9); // SSEP's 7 records with a point and SSDC's 2, counted or not
        var daemon = Ssdc.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await Ssdc.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        var rebuilt = await LedgerSnapshot.TakeAsync(nodes.SchemaOf("SSDC"));
        foreach (var (table, rows) in live) rebuilt[table].ShouldBe(rows, table);
    }

    /// <summary>What SSEP sends when a record it shared is no longer shareable with SSDC (as its sharing would on a policy change).</summary>
    private async Task WithdrawFromSsdcAsync(Guid id, long version)
    {
        using var scope = Ssep.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().EndpointFor(SharingOptions.EndpointOf("SSDC"))
            .SendAsync(new SeizureWithdrawn(SeizureShared.CurrentSchemaVersion, "SSEP", id, version, "no longer covered by the MOU policy",
                "MOU-SSEP-SSDC", DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// Waits until the node's near answer holds exactly the expected seizures (they cross nodes and pass its daemon
    /// asynchronously), then checks near, within and hot spots against the test's own expectations.
    /// </summary>
    private static async Task MapShouldShowAsync(string node, IAlbaHost host, List<Pin> pins, IReadOnlyList<Guid> noneOf)
    {
        var near = $"/api/seizures/near?lat={Invariant(SizoLat)}&lon={Invariant(SizoLon)}&radiusKm={Invariant(RadiusKm)}";
        var expectedIds = pins.Select(p => p.Id.ToString()).Order().ToList();
        try
        {
            // The same records, each at its expected point and weight: a correction that moves a point travels on its own.
            var expectedPoints = pins.Select(p => (p.Id.ToString(), Math.Round(p.Lon, 9), Math.Round(p.Lat, 9), p.Grams)).Order().ToList();
            await EventuallyAsync(async () =>
            {
                var answer = await GeoJsonAsync(host, near);
                if (!Ids(answer).Order().SequenceEqual(expectedIds)) return false;
                return answer.GetProperty("features").EnumerateArray().Select(f => (f.GetProperty("properties").GetProperty("seizureId").GetString()!,
                        Math.Round(f.GetProperty("geometry").GetProperty("coordinates")[0].GetDouble(), 9),
                        Math.Round(f.GetProperty("geometry").GetProperty("coordinates")[1].GetDouble(), 9),
                        f.GetProperty("properties").GetProperty("grams").GetDecimal()))
                    .Order().SequenceEqual(expectedPoints);
            }, $"{node}'s map shows {string.Join("; ", pins.Select(p => p.Name))}", seconds: MapSettleSeconds);
        }
        catch (TimeoutException)
        {
            Ids(await GeoJsonAsync(host, near)).ShouldBe(expectedIds, ignoreOrder: true, $"{node}'s map still differs after {MapSettleSeconds} s"); // fails, showing how
            throw;
        }

        // near: nearest first (ties by id), each under its origin agency, at its point, at its distance.
        var answer = await GeoJsonAsync(host, near);
        Geo.ShouldBeFeatureCollection(answer);
        var expected = pins.Where(p => p.Km <= RadiusKm).OrderBy(p => Math.Round(p.Km, 6)).ThenBy(p => p.Id.ToString()).ToList();
        expected.Count.ShouldBe(pins.Count);
        var features = answer.GetProperty("features").EnumerateArray().ToList();
        Ids(answer).ShouldBe(expected.Select(p => p.Id.ToString()));
        foreach (var (feature, pin) in features.Zip(expected))
        {
            var p = feature.GetProperty("properties");
            p.GetProperty("agency").GetString().ShouldBe(pin.Agency, pin.Name);
            p.GetProperty("facilityId").GetString().ShouldBe(pin.Facility, pin.Name);
            p.GetProperty("precision").GetString().ShouldBe(pin.Precision, pin.Name);
            p.GetProperty("grams").GetDecimal().ShouldBe(pin.Grams, pin.Name);
            // The product measures on the WGS 84 spheroid, the test on a sphere: they agree within 0.5 %.
            p.GetProperty("distanceKm").GetDouble().ShouldBe(pin.Km, Math.Max(0.005 * pin.Km, 1e-6), pin.Name);
            var xy = feature.GetProperty("geometry").GetProperty("coordinates");
            xy[0].GetDouble().ShouldBe(pin.Lon, 1e-9, pin.Name); // longitude first
            xy[1].GetDouble().ShouldBe(pin.Lat, 1e-9, pin.Name);
        }
        foreach (var id in noneOf) Ids(answer).ShouldNotContain(id.ToString());

        // within: the oblasts' boundaries as the node serves them, the test's own point-in-polygon.
        var agenciesInChuy = new List<string>();
        foreach (var oblast in new[] { "KG-C", "KG-O", "KG-Y" })
        {
            var boundary = (await host.GetJsonAsync($"/api/oblasts/{oblast}")).GetProperty("geometry");
            var within = await GeoJsonAsync(host, $"/api/seizures/within?oblast={oblast}");
            Geo.ShouldBeFeatureCollection(within);
            var inside = pins.Where(p => Geo.InGeoJson(p.Lat, p.Lon, boundary)).ToList();
            Ids(within).ShouldBe(inside.Select(p => p.Id.ToString()), ignoreOrder: true, oblast);
            if (oblast == "KG-C") agenciesInChuy.AddRange(inside.Select(p => p.Agency));
            foreach (var feature in within.GetProperty("features").EnumerateArray())
            {
                var pin = inside.Single(p => p.Id.ToString() == feature.GetProperty("properties").GetProperty("seizureId").GetString());
                feature.GetProperty("properties").GetProperty("agency").GetString().ShouldBe(pin.Agency, pin.Name);
                var xy = feature.GetProperty("geometry").GetProperty("coordinates");
                xy[0].GetDouble().ShouldBe(pin.Lon, 1e-9, pin.Name);
                xy[1].GetDouble().ShouldBe(pin.Lat, 1e-9, pin.Name);
            }
        }
        agenciesInChuy.Distinct().ShouldBe(["SSEP", "SSDC"], ignoreOrder: true); // both agencies' records, so the check is not vacuous

        // Hot spots: no two of these points are more than 500 km apart, so one cluster holds every counted seizure, once.
        var hotspots = await GeoJsonAsync(host, "/api/hotspots?method=nnh&thresholdKm=500");
        var cluster = hotspots.GetProperty("features").EnumerateArray().ShouldHaveSingleItem().GetProperty("properties");
        cluster.GetProperty("seizureIds").EnumerateArray().Select(i => i.GetString()!).ShouldBe(expectedIds, ignoreOrder: true);
        cluster.GetProperty("count").GetInt32().ShouldBe(pins.Count);
        cluster.GetProperty("grams").GetDecimal().ShouldBe(pins.Sum(p => p.Grams));
    }

    private static async Task<JsonElement> GeoJsonAsync(IAlbaHost host, string url)
    {
        var result = await host.Scenario(s => { s.Get.Url(url); s.StatusCodeShouldBe(200); });
        result.Context.Response.ContentType.ShouldBe("application/geo+json");
        return JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
    }

    private static List<string> Ids(JsonElement collection) =>
        collection.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("seizureId").GetString()!).ToList();

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}

[Collection(PostgresqlSharingCollection.Name)]
public sealed class SpatialSharingOverPostgresqlQueues(TwoNodesOnPostgresql nodes) : SpatialSharingScenarios(nodes);

[Collection(RabbitMqSharingCollection.Name)]
public sealed class SpatialSharingOverRabbitMq(TwoNodesOnRabbitMq nodes) : SpatialSharingScenarios(nodes);
