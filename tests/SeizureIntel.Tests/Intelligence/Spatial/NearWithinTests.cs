using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>
/// near and within against the test's own haversine distances and point-in-polygon tests over the raw inputs, with
/// voided and duplicate seizures (left out), a lab-corrected weight, SIZO-1's town point and own points.
/// </summary>
public sealed class NearWithinTests(NodeFixture fixture) : SpatialTest(fixture)
{
    private const double SizoLat = 42.8730, SizoLon = 74.6000; // SIZO-1: Bishkek's town centre (facilities-kg.json)

    private sealed record Expected(Placed Seizure, Guid Id, bool Counted, decimal Grams, string Precision)
    {
        public double Lat => Seizure.Lat ?? SizoLat;
        public double Lon => Seizure.Lon ?? SizoLon;
        public int Year => int.Parse(Seizure.OccurredAt[..4]);
    }

    /// <summary>Posts the scenario; returns what the test expects of each seizure that has a point.</summary>
    private async Task<List<Expected>> ScenarioAsync()
    {
        var expected = new List<Expected>();
        async Task<Guid> Add(Placed p, bool counted = true, decimal? grams = null)
        {
            var created = await RecordAsync(p.Body);
            expected.Add(new Expected(p, created.Id, counted, grams ?? p.Grams, p.Lat is null ? "town" : "exact"));
            return created.Id;
        }

        var b1 = await Add(new Placed("bishkek-east", 42.90, 74.65, null, 100m));
        var b2 = await Add(new Placed("bishkek-west", 42.85, 74.55, null, 50m), grams: 42.5m);
        await ChangeAsync(b2, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-1", submittedAt = "2015-06-01T10:00:00+06:00" }, 1);
        await ChangeAsync(b2, "lab-results", new
        {
            confirmedSubstance = "heroin", netWeightGrams = 42.5m, purityPercent = 40,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "a-1", reportDate = "2015-06-10",
        }, 2);
        var voided = await Add(new Placed("voided", 42.95, 74.80, null, 30m), counted: false);
        await ChangeAsync(voided, "void", new { reason = "test entry" }, 1);
        var duplicate = await Add(new Placed("duplicate", 42.88, 74.62, null, 20m), counted: false);
        await ChangeAsync(duplicate, "duplicate-of", new { duplicateOf = b1, reason = "same parcel" }, 1);
        await Add(new Placed("sizo-1", null, null, "SIZO-1", 5m));
        await RecordAsync(new Placed("ik-3, no point", null, null, "IK-3", 1m).Body);
        await Add(new Placed("kant", 42.89, 74.85, null, 70m));
        await Add(new Placed("osh", 40.513, 72.816, null, 10m));
        await Add(new Placed("karakol", 42.49, 78.39, null, 15m));
        await Add(new Placed("2014", 42.87, 74.59, null, 8m, OccurredAt: "2014-06-01T12:00:00+06:00"));
        await WaitForProjectionsAsync();
        return expected;
    }

    [Fact]
    public async Task the_locations_table_has_one_row_per_seizure_with_a_point()
    {
        var expected = await ScenarioAsync();
        (await CountAsync("seizure_locations")).ShouldBe(expected.Count); // IK-3 has no point, so no row
        var rows = await LedgerSnapshot.LocationsAsync(Fixture.Schema);
        foreach (var e in expected)
        {
            var row = rows.Where(r => r.StartsWith(FormattableString.Invariant($"{e.Id} SRID=4326;POINT({e.Lon} {e.Lat}) "))).ShouldHaveSingleItem(e.Seizure.Name);
            var columns = LedgerSnapshot.LocationColumns(row);
            columns.GetProperty("precision").GetString().ShouldBe(e.Precision, e.Seizure.Name);
            columns.GetProperty("counted").GetBoolean().ShouldBe(e.Counted, e.Seizure.Name);
        }
    }

    [Fact]
    public async Task near_answers_the_counted_seizures_within_the_radius_nearest_first_with_their_distances()
    {
        var expected = await ScenarioAsync();
        var answer = await GeoJsonAsync($"/api/seizures/near?lat={SizoLat}&lon={SizoLon}&radiusKm=30&from=2015-01-01&to=2015-12-31");
        Geo.ShouldBeFeatureCollection(answer);

        var mine = expected.Where(e => e.Counted && e.Year == 2015)
            .Select(e => (e.Id, e.Grams, e.Precision, Km: Geo.HaversineKm(SizoLat, SizoLon, e.Lat, e.Lon), e.Lat, e.Lon))
            .Where(e => e.Km <= 30).OrderBy(e => e.Km).ToList();
        mine.Count.ShouldBe(4); // SIZO-1, both Bishkek points, Kant; not the voided, the duplicate, Osh, Karakol or 2014's
        var features = answer.GetProperty("features").EnumerateArray().ToList();
        features.Select(f => Guid.Parse(f.GetProperty("properties").GetProperty("seizureId").GetString()!)).ShouldBe(mine.Select(e => e.Id));
        foreach (var (feature, e) in features.Zip(mine))
        {
            var p = feature.GetProperty("properties");
            // The product measures on the WGS 84 spheroid, the test on a sphere: they agree within 0.5 %.
            p.GetProperty("distanceKm").GetDouble().ShouldBe(e.Km, Math.Max(0.005 * e.Km, 1e-6));
            p.GetProperty("grams").GetDecimal().ShouldBe(e.Grams);
            p.GetProperty("precision").GetString().ShouldBe(e.Precision);
            var xy = feature.GetProperty("geometry").GetProperty("coordinates");
            xy[0].GetDouble().ShouldBe(e.Lon, 1e-9); // longitude first
            xy[1].GetDouble().ShouldBe(e.Lat, 1e-9);
        }
        var sizo = features.Single(f => f.GetProperty("properties").GetProperty("facilityId").GetString() == "SIZO-1").GetProperty("properties");
        sizo.GetProperty("oblast").GetString().ShouldBe("KG-C");
        sizo.GetProperty("localDate").GetString().ShouldBe("2015-05-05");
        sizo.GetProperty("agency").GetString().ShouldBe("SSEP");
        features.Single(f => f.GetProperty("properties").GetProperty("grams").GetDecimal() == 42.5m)
            .GetProperty("properties").GetProperty("labConfirmedGrams").GetDecimal().ShouldBe(42.5m);

        // Without dates the 2014 seizure comes too, and a small radius keeps only what lies inside it.
        ById(await GeoJsonAsync($"/api/seizures/near?lat={SizoLat}&lon={SizoLon}&radiusKm=30")).Count.ShouldBe(5);
        var small = await GeoJsonAsync($"/api/seizures/near?lat={SizoLat}&lon={SizoLon}&radiusKm=5");
        ById(small).Keys.Select(Guid.Parse).ShouldBe(
            expected.Where(e => e.Counted && Geo.HaversineKm(SizoLat, SizoLon, e.Lat, e.Lon) <= 5).Select(e => e.Id), ignoreOrder: true);
    }

    [Fact]
    public async Task within_an_oblast_answers_the_counted_seizures_inside_its_boundary()
    {
        var expected = await ScenarioAsync();
        var chuy = (await GetJsonAsync("/api/oblasts/KG-C")).GetProperty("geometry");
        foreach (var (code, count) in new[] { ("KG-C", 5), ("KG-O", 1), ("KG-Y", 1), ("KG-T", 0) })
        {
            var boundary = code == "KG-C" ? chuy : (await GetJsonAsync($"/api/oblasts/{code}")).GetProperty("geometry");
            var answer = await GeoJsonAsync($"/api/seizures/within?oblast={code}");
            Geo.ShouldBeFeatureCollection(answer);
            var mine = expected.Where(e => e.Counted && Geo.InGeoJson(e.Lat, e.Lon, boundary)).Select(e => e.Id).ToList();
            mine.Count.ShouldBe(count, code);
            ById(answer).Keys.Select(Guid.Parse).ShouldBe(mine, ignoreOrder: true, code);
        }
        var in2015 = await GeoJsonAsync("/api/seizures/within?oblast=kg-c&from=2015-01-01");
        ById(in2015).Count.ShouldBe(4);
    }

    [Fact]
    public async Task within_a_posted_polygon_answers_the_counted_seizures_inside_it()
    {
        var expected = await ScenarioAsync();
        double[][] Square(double west, double south, double east, double north) =>
            [[west, south], [east, south], [east, north], [west, north], [west, south]];
        var bishkek = new { type = "Polygon", coordinates = new[] { Square(74.5, 42.8, 74.7, 42.95) } };
        var oshAndKarakol = new
        {
            type = "Feature", properties = new { },
            geometry = new { type = "MultiPolygon", coordinates = new[] { new[] { Square(72.7, 40.4, 72.9, 40.6) }, new[] { Square(78.3, 42.4, 78.5, 42.6) } } },
        };
        foreach (var (body, count) in new (object, int)[] { (bishkek, 4), (oshAndKarakol, 2) })
        {
            var result = await Host.Scenario(s => { s.Post.Json(body).ToUrl("/api/seizures/within"); s.StatusCodeShouldBe(200); });
            result.Context.Response.ContentType.ShouldBe("application/geo+json");
            var answer = JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync());
            Geo.ShouldBeFeatureCollection(answer);
            var geometry = JsonSerializer.SerializeToElement(body);
            if (geometry.GetProperty("type").GetString() == "Feature") geometry = geometry.GetProperty("geometry");
            var mine = expected.Where(e => e.Counted && Geo.InGeoJson(e.Lat, e.Lon, geometry)).Select(e => e.Id).ToList();
            mine.Count.ShouldBe(count);
            ById(answer).Keys.Select(Guid.Parse).ShouldBe(mine, ignoreOrder: true);
        }
    }

    [Theory]
    [InlineData("/api/seizures/near?lon=74.6&radiusKm=5", "lat")]
    [InlineData("/api/seizures/near?lat=95&lon=74.6&radiusKm=5", "lat")]
    [InlineData("/api/seizures/near?lat=42&lon=abc&radiusKm=5", "lon")]
    [InlineData("/api/seizures/near?lat=42&lon=74&radiusKm=-1", "radiusKm")]
    [InlineData("/api/seizures/near?lat=42&lon=74&radiusKm=5&from=2015-13-01", "from")]
    [InlineData("/api/seizures/near?lat=42&lon=74&radiusKm=5&from=2015-02-01&to=2015-01-01", "to")]
    [InlineData("/api/seizures/within", "oblast")]
    [InlineData("/api/seizures/within?oblast=KG-XX", "oblast")]
    public async Task bad_parameters_are_refused_naming_them(string url, string field)
    {
        var problem = await GeoJsonAsync(url, 400);
        ErrorFields(problem).ShouldBe([field]);
    }

    [Fact]
    public async Task a_posted_body_that_is_not_a_polygon_is_refused()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(new { type = "Point", coordinates = new[] { 74.6, 42.87 } }).ToUrl("/api/seizures/within");
            s.StatusCodeShouldBe(400);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe(["type"]);
        var bowtie = new { type = "Polygon", coordinates = new[] { new[] { new[] { 74.0, 42.0 }, new[] { 75.0, 43.0 }, new[] { 75.0, 42.0 }, new[] { 74.0, 43.0 }, new[] { 74.0, 42.0 } } } };
        result = await Host.Scenario(s => { s.Post.Json(bowtie).ToUrl("/api/seizures/within"); s.StatusCodeShouldBe(400); });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe(["coordinates"]);
    }

    [Fact]
    public async Task correcting_a_point_moves_its_row_and_a_rebuild_recreates_the_same_rows()
    {
        var expected = await ScenarioAsync();
        var osh = expected.Single(e => e.Seizure.Name == "osh");
        await ChangeAsync(osh.Id, "corrections", new { reason = "wrong checkpoint", location = new { lat = 42.52, lon = 72.24 } }, 1);
        await WaitForProjectionsAsync();
        ById(await GeoJsonAsync("/api/seizures/within?oblast=KG-O")).ShouldBeEmpty();
        ById(await GeoJsonAsync("/api/seizures/within?oblast=KG-T")).Keys.ShouldBe([osh.Id.ToString()]);

        var live = await LedgerSnapshot.LocationsAsync(Fixture.Schema);
        var daemon = Host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(SeizureLedgerProjection.Name, TimeSpan.FromMinutes(1), CancellationToken.None);
        await WaitForProjectionsAsync();
        (await LedgerSnapshot.LocationsAsync(Fixture.Schema)).ShouldBe(live);
    }
}
