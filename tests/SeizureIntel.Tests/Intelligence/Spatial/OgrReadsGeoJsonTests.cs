using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Spatial;

/// <summary>
/// "Must open in QGIS": QGIS reads GeoJSON through GDAL's OGR driver, so every GeoJSON answer is saved to a file and
/// read back with <c>ogrinfo</c> (Debian gdal-bin, installed by ops/test). OGR must open it with the GeoJSON driver in
/// WGS 84, see the geometry type and number of features the test expects, and put each seizure at the longitude and
/// latitude the test posted — a swapped axis order would move Osh into the Indian Ocean.
/// </summary>
public sealed partial class OgrReadsGeoJsonTests(NodeFixture fixture) : SpatialTest(fixture)
{
    // A bent chain of own points in Osh oblast about 0.4 km apart (one NNH cluster at 1 km, 5 points, a polygon hull), one in
    // Karakol (Issyk-Kul).
    private static readonly Placed[] Osh =
    [
        new("o1", 40.5130, 72.8160, null, 10m), new("o2", 40.5165, 72.8180, null, 20m), new("o3", 40.5190, 72.8220, null, 30m),
        new("o4", 40.5215, 72.8265, null, 40m), new("o5", 40.5250, 72.8280, null, 50m),
    ];
    private static readonly Placed Karakol = new("k", 42.4900, 78.3900, null, 60m);

    private async Task<Dictionary<Guid, Placed>> ScenarioAsync()
    {
        var posted = new Dictionary<Guid, Placed>();
        foreach (var p in Osh.Append(Karakol)) posted[(await RecordAsync(p.Body)).Id] = p;
        await RecordAsync(new Placed("sizo-1", null, null, "SIZO-1", 5m).Body);
        await WaitForProjectionsAsync();
        return posted;
    }

    [Fact]
    public async Task ogr_reads_near_and_within_answers_as_points_at_the_posted_longitude_and_latitude()
    {
        var posted = await ScenarioAsync();

        var near = Ogr.Read(await RawAsync("/api/seizures/near?lat=40.5190&lon=72.8220&radiusKm=5"));
        near.Geometry.ShouldBe("Point");
        near.Features.Count.ShouldBe(posted.Values.Count(p => Geo.HaversineKm(40.5190, 72.8220, p.Lat!.Value, p.Lon!.Value) <= 5));
        near.Features.Count.ShouldBe(5);
        foreach (var feature in near.Features)
        {
            var p = posted[Guid.Parse(feature.Fields["seizureId"])];
            feature.Wkt.ShouldBe(string.Create(CultureInfo.InvariantCulture, $"POINT ({p.Lon} {p.Lat})"));
        }

        var within = Ogr.Read(await RawAsync("/api/seizures/within?oblast=KG-Y"));
        within.Geometry.ShouldBe("Point");
        within.Features.Select(f => f.Wkt).ShouldBe(["POINT (78.39 42.49)"]);
    }

    [Fact]
    public async Task ogr_reads_hotspot_hulls_grid_cells_and_the_facility_catalogue()
    {
        await ScenarioAsync();

        var nnh = Ogr.Read(await RawAsync("/api/hotspots?method=nnh&thresholdKm=1&minPoints=5"));
        nnh.Geometry.ShouldBe("Polygon");
        var hull = nnh.Features.ShouldHaveSingleItem();
        hull.Fields["count"].ShouldBe("5");
        // OGR's extent of the layer is the hull's bounding box: the chain's first and last points, longitude first.
        nnh.Extent.ShouldBe((72.816, 40.513, 72.828, 40.525));

        var grid = Ogr.Read(await RawAsync("/api/hotspots?method=grid&cellKm=10"));
        grid.Geometry.ShouldBe("Polygon");
        grid.Features.Sum(f => int.Parse(f.Fields["count"], CultureInfo.InvariantCulture)).ShouldBe(7);
        // The Osh chain (1.7 km long) falls in one or two cells; Karakol and SIZO-1's town point in one each.
        grid.Features.Count.ShouldBeInRange(3, 4);

        var facilities = Ogr.Read(await RawAsync("/api/facilities", accept: "application/geo+json"));
        facilities.Features.Count.ShouldBe(32);
        // Facilities without a known location have a null geometry, which OGR reads as a feature without one.
        facilities.Features.Count(f => f.Wkt is not null).ShouldBe(1);
        facilities.Features.Single(f => f.Wkt is not null).Fields["code"].ShouldBe("SIZO-1");
    }

    private async Task<string> RawAsync(string url, string? accept = null)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            if (accept is not null) s.WithRequestHeader("Accept", accept);
            s.StatusCodeShouldBe(200);
        });
        result.Context.Response.ContentType.ShouldBe("application/geo+json");
        return await result.ReadAsTextAsync();
    }

    private sealed record OgrFeature(Dictionary<string, string> Fields, string? Wkt);

    private sealed record OgrLayer(string Geometry, (double MinX, double MinY, double MaxX, double MaxY) Extent, List<OgrFeature> Features);

    /// <summary>Runs <c>ogrinfo -ro -al</c> on the GeoJSON text and parses its report of the one layer.</summary>
    private static partial class Ogr
    {
        public static OgrLayer Read(string geoJson)
        {
            var file = Path.Combine(Path.GetTempPath(), $"seizureintel-{Guid.NewGuid():N}.geojson");
            File.WriteAllText(file, geoJson);
            try
            {
                var start = new ProcessStartInfo("ogrinfo", ["-ro", "-al", file]) { RedirectStandardOutput = true, RedirectStandardError = true };
                Process process;
                try
                {
                    process = Process.Start(start)!;
                }
                catch (System.ComponentModel.Win32Exception e)
                {
                    throw new InvalidOperationException("ogrinfo (Debian package gdal-bin) is needed to check GeoJSON the way QGIS reads it; ops/test installs it", e);
                }
                var output = process.StandardOutput.ReadToEndAsync();
                var errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                process.ExitCode.ShouldBe(0, errors);
                errors.ShouldNotContain("ERROR");
                return Parse(output.Result);
            }
            finally
            {
                File.Delete(file);
            }
        }

        private static OgrLayer Parse(string report)
        {
            report.ShouldContain("using driver `GeoJSON' successful");
            report.ShouldContain("GEOGCRS[\"WGS 84\"");
            var geometry = GeometryLine().Match(report).Groups[1].Value.Trim();
            var e = ExtentLine().Match(report);
            (double, double, double, double) extent = e.Success
                ? (D(e.Groups[1].Value), D(e.Groups[2].Value), D(e.Groups[3].Value), D(e.Groups[4].Value))
                : default;
            var features = new List<OgrFeature>();
            foreach (var block in report.Split("OGRFeature(").Skip(1))
            {
                var fields = FieldLine().Matches(block).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
                var wkt = block.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("POINT", StringComparison.Ordinal)
                    || l.StartsWith("POLYGON", StringComparison.Ordinal) || l.StartsWith("MULTIPOLYGON", StringComparison.Ordinal));
                features.Add(new OgrFeature(fields, wkt));
            }
            int.Parse(FeatureCount().Match(report).Groups[1].Value, CultureInfo.InvariantCulture).ShouldBe(features.Count);
            return new OgrLayer(geometry, extent, features);
        }

        private static double D(string s) => Math.Round(double.Parse(s, CultureInfo.InvariantCulture), 6);

        [GeneratedRegex(@"^Geometry: (.+)$", RegexOptions.Multiline)]
        private static partial Regex GeometryLine();

        [GeneratedRegex(@"^Feature Count: (\d+)", RegexOptions.Multiline)]
        private static partial Regex FeatureCount();

        [GeneratedRegex(@"^Extent: \(([-0-9.]+), ([-0-9.]+)\) - \(([-0-9.]+), ([-0-9.]+)\)", RegexOptions.Multiline)]
        private static partial Regex ExtentLine();

        [GeneratedRegex(@"^\s+(\w+) \([^)]*\) = (.*)$", RegexOptions.Multiline)]
        private static partial Regex FieldLine();
    }
}
