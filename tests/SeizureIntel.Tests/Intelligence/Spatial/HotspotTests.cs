using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>
/// Hot spots on a small handcrafted set with known clusters, against the test's own single-linkage clustering (naive,
/// all pairs, haversine) and its own grid bookkeeping. A voided seizure would bridge two clusters and a duplicate would
/// inflate one: both must be left out. One member's grams are lab-corrected; SIZO-1's town point is a member.
/// </summary>
public sealed class HotspotTests(NodeFixture fixture) : SpatialTest(fixture)
{
    private sealed record P(Guid Id, double Lat, double Lon, decimal Grams, string Substance, int Year, bool Counted);

    private async Task<List<P>> ScenarioAsync()
    {
        var all = new List<P>();
        async Task<Guid> Add(double? lat, double? lon, decimal grams, string substance = "heroin", string at = "2015-05-05T06:00:00+06:00",
            string? facility = null)
        {
            var id = (await RecordAsync(new Placed("", lat, lon, facility, grams, substance, at).Body)).Id;
            all.Add(new P(id, lat ?? 42.8730, lon ?? 74.6000, grams, substance, int.Parse(at[..4]), true));
            return id;
        }
        async Task Uncount(Guid id, string action, object body)
        {
            await ChangeAsync(id, action, body, 1);
            var i = all.FindIndex(p => p.Id == id);
            all[i] = all[i] with { Counted = false };
        }

        // Cluster A: SIZO-1 (town point) and a bent chain of own points about 0.7 km apart (not collinear: the hull is a polygon).
        var a0 = await Add(null, null, 5m, facility: "SIZO-1");
        await Add(42.8775, 74.6050, 10m);
        await Add(42.8840, 74.6080, 20m, substance: "cannabis-resin");
        var a3 = await Add(42.8865, 74.6150, 40m);
        // A voided record halfway to cluster B, and a duplicate of a0: neither may count.
        await Uncount(await Add(42.8915, 74.6250, 1m), "void", new { reason = "test entry" });
        await Uncount(await Add(42.8740, 74.6010, 500m), "duplicate-of", new { duplicateOf = a0, reason = "same parcel" });
        // Cluster B, about 1.9 km from A; one member's weight is the lab's.
        var b0 = await Add(42.8965, 74.6350, 100m);
        await Add(42.9030, 74.6380, 200m);
        await Add(42.9055, 74.6450, 300m);
        await ChangeAsync(b0, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-9", submittedAt = "2015-06-01T10:00:00+06:00" }, 1);
        await ChangeAsync(b0, "lab-results", new
        {
            confirmedSubstance = "heroin", netWeightGrams = 87.25m, purityPercent = 30,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "a-1", reportDate = "2015-06-10",
        }, 2);
        var i = all.FindIndex(p => p.Id == b0);
        all[i] = all[i] with { Grams = 87.25m };
        // A pair in Karakol, a lone point in Osh, and a 2014 seizure beside A.
        await Add(42.4900, 78.3900, 7m);
        await Add(42.4940, 78.3930, 8m);
        await Add(40.5130, 72.8160, 9m);
        await Add(42.8870, 74.6160, 11m, at: "2014-06-01T12:00:00+06:00");
        _ = a3;
        await WaitForProjectionsAsync();
        return all;
    }

    /// <summary>The test's own single linkage: breadth-first over all pairs within the threshold.</summary>
    private static List<List<P>> MyClusters(List<P> points, double thresholdKm, int minPoints)
    {
        var seen = new HashSet<Guid>();
        var clusters = new List<List<P>>();
        foreach (var start in points)
        {
            if (!seen.Add(start.Id)) continue;
            var cluster = new List<P> { start };
            for (var k = 0; k < cluster.Count; k++)
                foreach (var other in points)
                    if (!seen.Contains(other.Id) && Geo.HaversineKm(cluster[k].Lat, cluster[k].Lon, other.Lat, other.Lon) <= thresholdKm)
                    {
                        seen.Add(other.Id);
                        cluster.Add(other);
                    }
            if (cluster.Count >= minPoints) clusters.Add(cluster);
        }
        return clusters;
    }

    [Theory]
    [InlineData(1.2, 2, "", 3)]         // A, B and the Karakol pair
    [InlineData(1.2, 3, "", 2)]         // A and B
    [InlineData(2.5, 3, "", 1)]         // A and B joined
    [InlineData(1.2, 2, "&substance=heroin", 4)] // without A's cannabis link, A splits into two pairs
    [InlineData(1.2, 2, "&from=2014-01-01&to=2014-12-31", 0)]
    public async Task nnh_clusters_equal_the_tests_own_single_linkage(double thresholdKm, int minPoints, string filter, int expectedClusters)
    {
        var all = await ScenarioAsync();
        var answer = await GeoJsonAsync($"/api/hotspots?method=nnh&thresholdKm={thresholdKm}&minPoints={minPoints}{filter}");
        Geo.ShouldBeFeatureCollection(answer, "*");

        var year = filter.Contains("2014") ? 2014 : 2015;
        var points = all.Where(p => p.Counted && (filter.Contains("from") ? p.Year == year : true)
                                               && (!filter.Contains("substance") || p.Substance == "heroin")).ToList();
        var mine = MyClusters(points, thresholdKm, minPoints);
        mine.Count.ShouldBe(expectedClusters);
        var features = answer.GetProperty("features").EnumerateArray().ToList();
        features.Count.ShouldBe(mine.Count);
        var byMembers = features.ToDictionary(f => string.Join(",", f.GetProperty("properties").GetProperty("seizureIds").EnumerateArray()
            .Select(s => s.GetString()).Order()));
        foreach (var cluster in mine)
        {
            var key = string.Join(",", cluster.Select(p => p.Id.ToString()).Order());
            byMembers.ShouldContainKey(key);
            var feature = byMembers[key];
            var props = feature.GetProperty("properties");
            props.GetProperty("count").GetInt32().ShouldBe(cluster.Count);
            props.GetProperty("grams").GetDecimal().ShouldBe(cluster.Sum(p => p.Grams));
            props.GetProperty("order").GetInt32().ShouldBe(1);
            // The hull's vertices are members' points, and every member lies within the hull's extent.
            var geometry = feature.GetProperty("geometry");
            var vertices = Geo.Positions(geometry.GetProperty("coordinates")).ToList();
            foreach (var v in vertices) cluster.ShouldContain(p => Math.Abs(p.Lon - v[0]) < 1e-9 && Math.Abs(p.Lat - v[1]) < 1e-9);
            foreach (var p in cluster)
            {
                p.Lon.ShouldBeInRange(vertices.Min(v => v[0]) - 1e-9, vertices.Max(v => v[0]) + 1e-9);
                p.Lat.ShouldBeInRange(vertices.Min(v => v[1]) - 1e-9, vertices.Max(v => v[1]) + 1e-9);
            }
            if (cluster.Count >= 3)
            {
                geometry.GetProperty("type").GetString().ShouldBe("Polygon");
                var ring = geometry.GetProperty("coordinates")[0].EnumerateArray().Select(c => (c[0].GetDouble(), c[1].GetDouble())).ToList();
                ring[0].ShouldBe(ring[^1]); // closed
                SignedArea(ring).ShouldBeGreaterThan(0); // counter-clockwise exterior (RFC 7946 §3.1.6)
            }
        }
        // Largest first.
        features.Select(f => f.GetProperty("properties").GetProperty("count").GetInt32()).ShouldBeInOrder(SortDirection.Descending);
    }

    private static double SignedArea(List<(double X, double Y)> ring) =>
        ring.Zip(ring.Skip(1)).Sum(s => s.First.X * s.Second.Y - s.Second.X * s.First.Y) / 2;

    [Fact]
    public async Task second_order_clusters_join_first_order_clusters_whose_centres_are_within_the_threshold()
    {
        var all = await ScenarioAsync();
        var answer = await GeoJsonAsync("/api/hotspots?thresholdKm=1.2&minPoints=2&orders=2&from=2015-01-01");
        var features = answer.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties")).ToList();
        var first = MyClusters(all.Where(p => p.Counted && p.Year == 2015).ToList(), 1.2, 2);
        features.Count(f => f.GetProperty("order").GetInt32() == 1).ShouldBe(first.Count);
        // The test's own second order: its clusters' mean centres, clustered by the same rule.
        var centres = first.Select(c => new P(Guid.NewGuid(), c.Average(p => p.Lat), c.Average(p => p.Lon), 0, "", 2015, true)).ToList();
        var second = MyClusters(centres, 1.2, 2);
        features.Count(f => f.GetProperty("order").GetInt32() == 2).ShouldBe(second.Count);
        foreach (var f in features.Where(f => f.GetProperty("order").GetInt32() == 1))
        {
            var c = first.Single(c => c.Count == f.GetProperty("count").GetInt32() && c.Sum(p => p.Grams) == f.GetProperty("grams").GetDecimal());
            f.GetProperty("meanLat").GetDouble().ShouldBe(c.Average(p => p.Lat), 1e-9);
            f.GetProperty("meanLon").GetDouble().ShouldBe(c.Average(p => p.Lon), 1e-9);
        }
    }

    [Fact]
    public async Task grid_cells_count_and_weigh_the_counted_seizures_in_them()
    {
        var all = await ScenarioAsync();
        const double cellKm = 2.0;
        var answer = await GeoJsonAsync($"/api/hotspots?method=grid&cellKm={cellKm}&from=2015-01-01&to=2015-12-31");
        Geo.ShouldBeFeatureCollection(answer, "Polygon");

        // The test's own cells: rows of cellKm/111.32 degrees of latitude; columns cellKm wide at the row's middle latitude.
        var height = cellKm / 111.32;
        var mine = all.Where(p => p.Counted && p.Year == 2015).GroupBy(p =>
        {
            var row = (long)Math.Floor(p.Lat / height);
            var width = cellKm / (111.32 * Math.Cos((row + 0.5) * height * Math.PI / 180));
            return (row, (long)Math.Floor(p.Lon / width));
        }).ToDictionary(g => g.Key, g => (Count: g.Count(), Grams: g.Sum(p => p.Grams), Points: g.ToList()));

        var features = answer.GetProperty("features").EnumerateArray().ToList();
        features.Count.ShouldBe(mine.Count);
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var key = (p.GetProperty("row").GetInt64(), p.GetProperty("column").GetInt64());
            mine.ShouldContainKey(key);
            p.GetProperty("count").GetInt32().ShouldBe(mine[key].Count);
            p.GetProperty("grams").GetDecimal().ShouldBe(mine[key].Grams);
            var ring = f.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(c => (c[0].GetDouble(), c[1].GetDouble())).ToList();
            foreach (var point in mine[key].Points) Geo.InRing(point.Lat, point.Lon, ring).ShouldBeTrue();
            // About cellKm × cellKm: the cell's sides measured with the test's haversine.
            Geo.HaversineKm(ring[0].Item2, ring[0].Item1, ring[3].Item2, ring[3].Item1).ShouldBe(cellKm, 0.02 * cellKm);
            Geo.HaversineKm(ring[0].Item2, ring[0].Item1, ring[1].Item2, ring[1].Item1).ShouldBe(cellKm, 0.02 * cellKm);
        }
    }

    [Fact]
    public async Task kernel_density_equals_the_tests_own_quartic_sums_at_every_cell_centre()
    {
        var all = await ScenarioAsync();
        const double cellKm = 0.5, bandwidthKm = 1.5;
        var answer = await GeoJsonAsync($"/api/hotspots?method=kde&cellKm={cellKm}&bandwidthKm={bandwidthKm}&from=2015-01-01");
        Geo.ShouldBeFeatureCollection(answer, "Polygon");
        var points = all.Where(p => p.Counted && p.Year == 2015).ToList();

        // The test's own density at a position: the quartic kernel 3/(π h²)(1 − d²/h²)² summed over seizures within h.
        (double Seizures, double Grams) Density(double lat, double lon)
        {
            double s = 0, g = 0;
            foreach (var p in points)
            {
                var d = Geo.HaversineKm(lat, lon, p.Lat, p.Lon);
                if (d >= bandwidthKm) continue;
                var k = 3 / (Math.PI * bandwidthKm * bandwidthKm) * Math.Pow(1 - d * d / (bandwidthKm * bandwidthKm), 2);
                s += k;
                g += k * (double)p.Grams;
            }
            return (s, g);
        }

        var features = answer.GetProperty("features").EnumerateArray().ToList();
        var cells = new HashSet<(long, long)>();
        foreach (var f in features)
        {
            var props = f.GetProperty("properties");
            cells.Add((props.GetProperty("row").GetInt64(), props.GetProperty("column").GetInt64()));
            // The centre is the middle of the cell's polygon, and the density there is the test's own sum.
            var ring = f.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(c => (Lon: c[0].GetDouble(), Lat: c[1].GetDouble())).ToList();
            var (lat, lon) = ((ring.Min(c => c.Lat) + ring.Max(c => c.Lat)) / 2, (ring.Min(c => c.Lon) + ring.Max(c => c.Lon)) / 2);
            props.GetProperty("centreLat").GetDouble().ShouldBe(lat, 1e-9);
            props.GetProperty("centreLon").GetDouble().ShouldBe(lon, 1e-9);
            var (seizures, grams) = Density(lat, lon);
            seizures.ShouldBeGreaterThan(0);
            props.GetProperty("density").GetDouble().ShouldBe(seizures, seizures * 1e-9);
            props.GetProperty("gramsDensity").GetDouble().ShouldBe(grams, Math.Max(grams, 1) * 1e-9);
        }
        // Every cell with a density is there: each cell around every seizure, within the bandwidth, is in the answer.
        var height = cellKm / 111.32;
        foreach (var p in points)
            for (var row = (long)Math.Floor((p.Lat - 0.02) / height); row <= (long)Math.Floor((p.Lat + 0.02) / height); row++)
            {
                var width = cellKm / (111.32 * Math.Cos((row + 0.5) * height * Math.PI / 180));
                for (var col = (long)Math.Floor((p.Lon - 0.03) / width); col <= (long)Math.Floor((p.Lon + 0.03) / width); col++)
                    if (Density((row + 0.5) * height, (col + 0.5) * width).Seizures > 0) cells.ShouldContain((row, col));
            }
        // Densest first.
        features.Select(f => f.GetProperty("properties").GetProperty("density").GetDouble()).ShouldBeInOrder(SortDirection.Descending);
    }

    [Fact]
    public async Task hot_spots_take_in_seizures_recorded_after_they_were_first_asked_with_members_in_id_order()
    {
        var all = await ScenarioAsync();
        const string url = "/api/hotspots?thresholdKm=1.2&minPoints=2&from=2015-01-01";
        (await GeoJsonAsync(url)).GetProperty("features").GetArrayLength().ShouldBe(3); // the index is loaded now

        // Two more in Karakol (the pair becomes four) and a second one beside the lone point in Osh (a new pair): merged
        // into the index's sorted points, not loaded again.
        foreach (var (lat, lon) in new[] { (42.4980, 78.3960), (42.5020, 78.3990), (40.5150, 72.8180) })
        {
            var id = (await RecordAsync(new Placed("", lat, lon, null, 3m, "heroin", "2015-07-07T06:00:00+06:00").Body)).Id;
            all.Add(new P(id, lat, lon, 3m, "heroin", 2015, true));
        }
        await WaitForProjectionsAsync();
        var expected = MyClusters(all.Where(p => p.Counted && p.Year == 2015).ToList(), 1.2, 2);
        expected.Count.ShouldBe(4);
        var features = (await GeoJsonAsync(url)).GetProperty("features").EnumerateArray().ToList();
        // Each cluster lists its members in the order of their ids (as .NET orders Guids), the same ids as the test's clusters.
        var answered = features.Select(f => f.GetProperty("properties").GetProperty("seizureIds").EnumerateArray()
            .Select(s => Guid.Parse(s.GetString()!)).ToList()).ToList();
        foreach (var ids in answered) ids.ShouldBe(ids.Order().ToList());
        answered.Select(ids => string.Join(",", ids.Order())).Order()
            .ShouldBe(expected.Select(c => string.Join(",", c.Select(p => p.Id).Order())).Order());
    }

    [Fact]
    public async Task hot_spots_follow_a_void_made_after_they_were_first_asked()
    {
        var all = await ScenarioAsync();
        const string url = "/api/hotspots?thresholdKm=1.2&minPoints=3&from=2015-01-01";
        var before = await GeoJsonAsync(url);
        var counts = before.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("count").GetInt32()).ToList();
        counts.ShouldBe(MyClusters(all.Where(p => p.Counted && p.Year == 2015).ToList(), 1.2, 3).Select(c => c.Count).OrderDescending().ToList());

        // Void the middle of cluster B's chain (42.9030, 74.6380): B falls apart below three members.
        var middle = all.Single(p => p.Lat == 42.9030);
        await ChangeAsync(middle.Id, "void", new { reason = "test entry" }, 1);
        await WaitForProjectionsAsync();
        all[all.IndexOf(middle)] = middle with { Counted = false };
        var after = await GeoJsonAsync(url);
        var expected = MyClusters(all.Where(p => p.Counted && p.Year == 2015).ToList(), 1.2, 3);
        after.GetProperty("features").GetArrayLength().ShouldBe(expected.Count);
        after.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("count").GetInt32())
            .ShouldBe(expected.Select(c => c.Count).OrderDescending().ToList());
        expected.Count.ShouldBeLessThan(counts.Count);
    }

    [Theory]
    [InlineData("/api/hotspots?method=nnh", "thresholdKm")]
    [InlineData("/api/hotspots?thresholdKm=0", "thresholdKm")]
    [InlineData("/api/hotspots?thresholdKm=1&minPoints=1", "minPoints")]
    [InlineData("/api/hotspots?thresholdKm=1&minPoints=two", "minPoints")]
    [InlineData("/api/hotspots?thresholdKm=1&orders=3", "orders")]
    [InlineData("/api/hotspots?method=lisa&thresholdKm=1", "method")]
    [InlineData("/api/hotspots?method=kde&cellKm=1", "bandwidthKm")]
    [InlineData("/api/hotspots?method=kde&cellKm=1&bandwidthKm=11", "bandwidthKm")]
    [InlineData("/api/hotspots?method=kde&cellKm=1&bandwidthKm=2&thresholdKm=1", "thresholdKm")]
    [InlineData("/api/hotspots?method=grid&cellKm=1&bandwidthKm=2", "bandwidthKm")]
    [InlineData("/api/hotspots?method=grid", "cellKm")]
    [InlineData("/api/hotspots?method=grid&cellKm=5&thresholdKm=1", "thresholdKm")]
    [InlineData("/api/hotspots?thresholdKm=1&substance=chalk", "substance")]
    [InlineData("/api/hotspots?thresholdKm=1&from=2015-99-01", "from")]
    public async Task bad_parameters_are_refused_naming_them(string url, string field)
    {
        var problem = await GeoJsonAsync(url, 400);
        ErrorFields(problem).ShouldBe([field]);
    }
}
