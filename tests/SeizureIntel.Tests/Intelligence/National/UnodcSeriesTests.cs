using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Intelligence.National.UnodcFixtures;

namespace SeizureIntel.Tests.Intelligence.National;

/// <summary>UNODC national reference series through the API, against the real node and PostgreSQL, with test fixtures.</summary>
public sealed class UnodcSeriesTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(byte[] file, string query, bool multipart = false)
    {
        using var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-User", "supervisor-1");
        HttpContent content = multipart
            ? new MultipartFormDataContent { { new ByteArrayContent(file), "file", "unodc.csv" } }
            : new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };
        var response = await client.PostAsync("/api/reference-series/unodc" + query, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }

    private static decimal Kg(JsonElement point) => point.GetProperty("kg").GetDecimal();

    /// <summary>The expected by=group series of a country, summed here from the fixture rows.</summary>
    private static List<(int Year, string Group, decimal Kg, int Rows)> Expected(IEnumerable<FixtureRow> rows, string code, int from, int to) =>
        rows.Where(r => r.Code == code && r.Year >= from && r.Year <= to)
            .GroupBy(r => (r.Year, Group: NodeGroup(r.Group)))
            .OrderBy(g => g.Key.Year).ThenBy(g => g.Key.Group, StringComparer.Ordinal)
            .Select(g => (g.Key.Year, g.Key.Group, g.Sum(r => r.Kg), g.Count())).ToList();

    private static List<(int Year, string Group, decimal Kg, int Rows)> Points(JsonElement answer) =>
        answer.GetProperty("series").EnumerateArray()
            .Select(p => (p.GetProperty("year").GetInt32(), p.GetProperty("group").GetString()!, Kg(p), p.GetProperty("rows").GetInt32())).ToList();

    [Fact]
    public async Task The_clean_export_is_imported_with_repeated_rows_summed_and_comments_kept_with_the_figure()
    {
        var file = Clean();
        var (status, body) = await PostAsync(file, "?edition=2024-06");
        status.ShouldBe(HttpStatusCode.Created, body.ToString());
        body.GetProperty("rowsRead").GetInt32().ShouldBe(Rows.Length);
        body.GetProperty("rowsImported").GetInt32().ShouldBe(Rows.Length);
        body.GetProperty("fileSha256").GetString().ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file)));
        body.GetProperty("importedBy").GetString().ShouldBe("supervisor-1");
        body.GetProperty("importedAt").GetString()!.ShouldEndWith("+06:00");

        var answer = await GetJsonAsync("/api/reference-series/unodc?country=kgz&from=2012&to=2016&by=group");
        Points(answer).ShouldBe(Expected(Rows, "KGZ", 2012, 2016));
        var source = answer.GetProperty("source");
        (source.GetProperty("source").GetString(), source.GetProperty("edition").GetString()).ShouldBe(("unodc", "2024-06"));
        source.GetProperty("citation").GetString()!.ShouldContain("UNODC");
        answer.GetProperty("countryName").GetString().ShouldBe("Kyrgyzstan");

        // the two 2014 cannabis herb rows are one figure, carrying the caveat of the one that had it
        var cannabis2014 = answer.GetProperty("series").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2014 && p.GetProperty("group").GetString() == "cannabis");
        Kg(cannabis2014).ShouldBe(2100.5m + 310.25m);
        cannabis2014.GetProperty("comments").EnumerateArray().Select(c => c.GetString()).ShouldBe(["Customs only"]);

        var byDrug = await GetJsonAsync("/api/reference-series/unodc?country=KGZ&from=2014&to=2014&by=drug");
        byDrug.GetProperty("series").EnumerateArray().Select(p => (p.GetProperty("drug").GetString(), Kg(p), p.GetProperty("rows").GetInt32()))
            .OrderBy(p => p.Item1).ShouldBe([("Cannabis herb", 2410.75m, 2), ("Heroin", 121.75m, 1), ("Opium", 245m, 1)]);

        // a range narrows; another country is its own series
        Points(await GetJsonAsync("/api/reference-series/unodc?country=KGZ&from=2015&to=2016")).ShouldBe(Expected(Rows, "KGZ", 2015, 2016));
        Points(await GetJsonAsync("/api/reference-series/unodc?country=KAZ")).ShouldBe(Expected(Rows, "KAZ", 1980, 2100));
        (await GetJsonAsync("/api/reference-series/unodc?country=UZB")).GetProperty("series").GetArrayLength().ShouldBe(0);

        // the same file again: nothing written, and it says so
        var (again, againBody) = await PostAsync(file, "?edition=2024-06", multipart: true);
        again.ShouldBe(HttpStatusCode.OK);
        againBody.GetProperty("alreadyImported").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_damaged_copy_reads_the_same_figures_and_an_ambiguous_line_is_refused_by_line_with_nothing_written()
    {
        var rows = Rows.Select(r => r.Comment == "Customs only" ? r with { Comment = "Customs only, Manas airport" }
            : r.Comment == "Financial year" ? r with { Comment = "Financial year \"2016/17\"" } : r).ToList();
        var file = Damaged(rows);
        // 0,812 kg unquoted in a comma file could be 0.812 or 812: that line is refused, and by default nothing is written
        var (status, body) = await PostAsync(file, "?edition=2023");
        status.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        var ambiguous = rows.FindIndex(r => r.Kg == 0.812m) + 2; // header is line 1
        var refusal = body.GetProperty("refusals").EnumerateArray().ShouldHaveSingleItem();
        refusal.GetProperty("line").GetInt32().ShouldBe(ambiguous);
        body.GetProperty("errors").GetProperty("file").EnumerateArray().Select(e => e.GetString()).ShouldContain(e => e!.StartsWith($"line {ambiguous}"));
        (await GetJsonAsync("/api/reference-series/unodc")).GetProperty("editions").GetArrayLength().ShouldBe(0);

        (status, body) = await PostAsync(file, "?edition=2023&skipInvalid=true");
        status.ShouldBe(HttpStatusCode.Created, body.ToString());
        (body.GetProperty("rowsImported").GetInt32(), body.GetProperty("rowsRefused").GetInt32()).ShouldBe((rows.Count - 1, 1));
        var answer = await GetJsonAsync("/api/reference-series/unodc?country=KGZ");
        Points(answer).ShouldBe(Expected(rows.Where(r => r.Kg != 0.812m), "KGZ", 1980, 2100));
        var comments = answer.GetProperty("series").EnumerateArray().SelectMany(p => p.GetProperty("comments").EnumerateArray().Select(c => c.GetString())).ToList();
        comments.ShouldContain("Customs only, Manas airport");
        comments.ShouldContain("Financial year \"2016/17\"");
    }

    [Fact]
    public async Task A_newer_edition_replaces_the_series_and_the_older_one_stays_readable()
    {
        (await PostAsync(Clean(), "?edition=2023")).Status.ShouldBe(HttpStatusCode.Created);
        var revised = Rows.Select(r => r.Code == "KGZ" && r.Year == 2012 && r.Drug == "Heroin" ? r with { Kg = 91.25m } : r).ToList();
        (await PostAsync(Clean(revised), "?edition=2024")).Status.ShouldBe(HttpStatusCode.Created);

        var current = await GetJsonAsync("/api/reference-series/unodc?country=KGZ&from=2012&to=2012");
        current.GetProperty("source").GetProperty("edition").GetString().ShouldBe("2024");
        Points(current).ShouldBe(Expected(revised, "KGZ", 2012, 2012));
        current.GetProperty("editions").EnumerateArray().Select(e => e.GetString()).ShouldBe(["2024", "2023"]);
        var older = await GetJsonAsync("/api/reference-series/unodc?country=KGZ&from=2012&to=2012&edition=2023");
        Points(older).ShouldBe(Expected(Rows, "KGZ", 2012, 2012));

        // an edition is never overwritten by another file
        var (status, body) = await PostAsync(Clean(revised.Take(3)), "?edition=2023");
        status.ShouldBe(HttpStatusCode.Conflict);
        ErrorFields(body).ShouldBe(["edition"]);
        Points(await GetJsonAsync("/api/reference-series/unodc?country=KGZ&from=2012&to=2012&edition=2023")).ShouldBe(Expected(Rows, "KGZ", 2012, 2012));
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/reference-series/unodc?country=KGZ&edition=2019")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task An_unmapped_drug_group_is_refused_by_name_and_hostile_cells_stay_text()
    {
        var rows = Rows.Append(new FixtureRow("Kyrgyzstan", "KGZ", 2014, "Precursors", "Acetic anhydride", null, 1200m, null)).ToList();
        var (status, body) = await PostAsync(Clean(rows), "?edition=2024");
        status.ShouldBe(HttpStatusCode.BadRequest);
        var refusal = body.GetProperty("refusals").EnumerateArray().ShouldHaveSingleItem();
        (refusal.GetProperty("line").GetInt32(), refusal.GetProperty("column").GetString()).ShouldBe((rows.Count + 1, "DrugGroup"));
        refusal.GetProperty("why").GetString()!.ShouldContain("'Precursors' is not mapped");

        var hostile = Rows.Take(2).Select(r => r with { Comment = "=cmd|' /C calc'!A0" })
            .Append(new FixtureRow("Kyrgyzstan", "KG", 2014, "Opioids", "Heroin", null, 1m, null))
            .Append(new FixtureRow("Kyrgyzstan", "KGZ", 2014, "Opioids", "Heroin", null, -5m, null)).ToList();
        (status, body) = await PostAsync(Clean(hostile), "?edition=2024");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("refusals").EnumerateArray().Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetString()))
            .ShouldBe([(4, "CountryCode"), (5, "KgEquivalent")]);
        (status, _) = await PostAsync(Clean(hostile), "?edition=2024&skipInvalid=true");
        status.ShouldBe(HttpStatusCode.Created);
        var answer = await GetJsonAsync("/api/reference-series/unodc?country=KGZ&by=drug");
        answer.GetProperty("series").EnumerateArray().First().GetProperty("comments")[0].GetString().ShouldBe("=cmd|' /C calc'!A0");
    }

    [Fact]
    public async Task Bad_requests_are_named_and_roles_are_kept()
    {
        (await PostAsync(Clean(), "")).Body.ShouldSatisfyAllConditions(b => ErrorFields(b).ShouldBe(["edition"]));
        (await PostAsync(Clean(), "?edition=June")).Status.ShouldBe(HttpStatusCode.BadRequest);
        var (status, body) = await PostAsync(Encoding.UTF8.GetBytes("Country;Year;Value\nKyrgyzstan;2014;12\n"), "?edition=2024");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body.GetProperty("errors").GetProperty("file")[0].GetString()!.ShouldContain("CountryCode");
        (await PostAsync(ImportFilesXlsxGarbage, "?edition=2024")).Status.ShouldBe(HttpStatusCode.BadRequest);

        foreach (var (url, field) in new[] { ("?country=KG", "country"), ("?country=KGZ&by=month", "by"), ("?country=KGZ&from=2016&to=2012", "from"), ("?from=2012", "country") })
        {
            var (code, text) = await Host.GetAsRoleAsync(Roles.Analyst, "/api/reference-series/unodc" + url);
            code.ShouldBe(400, url);
            ErrorFields(JsonSerializer.Deserialize<JsonElement>(text)).ShouldBe([field], url);
        }
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/reference-series/unodc?country=KGZ")).Status.ShouldBe(404); // nothing imported yet
        (await Host.GetAsRoleAsync(Roles.WorkingGroup, "/api/reference-series/unodc")).Status.ShouldBe(200);
        (await Host.GetAsRoleAsync(Roles.Officer, "/api/reference-series/unodc")).Status.ShouldBe(403);
        using var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Host.ForRoleAsync(Roles.Analyst));
        (await client.PostAsync("/api/reference-series/unodc?edition=2024", new ByteArrayContent(Clean()))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await GetJsonAsync("/api/reference-series/unodc")).GetProperty("editions").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Trends_show_the_national_figure_of_the_group_beside_the_nodes_own_and_its_share()
    {
        (await PostAsync(Clean(), "?edition=2024-06")).Status.ShouldBe(HttpStatusCode.Created);
        var seized = new[] { ("cannabis-resin", 1.25m, "kg", 1250m), ("cannabis-herb", 500m, "g", 500m), ("cannabis-herb", 12m, "kg", 12000m) };
        foreach (var (substance, value, unit, _) in seized)
            await RecordAsync(Body(occurredAt: "2014-06-10T10:00:00+06:00", substance: substance, value: value, unit: unit));
        await RecordAsync(Body(occurredAt: "2014-06-10T10:00:00+06:00", substance: "heroin", value: 3m, unit: "kg")); // another group
        await WaitForProjectionsAsync();

        var own = seized.Sum(s => s.Item4);
        var nationalKg = Rows.Where(r => r.Code == "KGZ" && r.Year == 2014 && r.Group == "Cannabis-type").Sum(r => r.Kg);
        var share = Math.Round(own / (nationalKg * 1000m) * 100m, 1, MidpointRounding.AwayFromZero);

        var trends = await GetJsonAsync("/api/trends?group=cannabis&agency=SSEP&from=2013&to=2014&granularity=year&national=KGZ");
        var national = trends.GetProperty("national");
        national.GetProperty("source").GetProperty("edition").GetString().ShouldBe("2024-06");
        var years = national.GetProperty("years").EnumerateArray().ToList();
        years.Select(y => y.GetProperty("year").GetInt32()).ShouldBe([2013, 2014]);
        var y2014 = years[1];
        (y2014.GetProperty("ownGrams").GetDecimal(), y2014.GetProperty("nationalKg").GetDecimal(), y2014.GetProperty("sharePercent").GetDecimal())
            .ShouldBe((own, nationalKg, share));
        y2014.GetProperty("partialYear").GetBoolean().ShouldBeFalse();
        y2014.GetProperty("comments").EnumerateArray().Select(c => c.GetString()).ShouldBe(["Customs only"]);
        y2014.GetProperty("statement").GetString().ShouldBe($"2014: SSEP's seizures were {share:0.0} % of Kyrgyzstan's reported seizures of Cannabis (UNODC, edition 2024-06).");
        years[0].GetProperty("sharePercent").GetDecimal().ShouldBe(0m); // nothing of SSEP's in 2013, a national figure there

        var part = await GetJsonAsync("/api/trends?group=cannabis&from=2014-03&to=2014-12&granularity=year&national=KGZ");
        part.GetProperty("national").GetProperty("years")[0].GetProperty("partialYear").GetBoolean().ShouldBeTrue();

        foreach (var (url, field) in new[] { ("&national=KGZ", "national"), ("&group=cannabis&national=KG", "national"), ("&substance=heroin&national=KGZ", "national"), ("&group=cannabis&edition=2024", "edition") })
        {
            var (code, text) = await Host.GetAsRoleAsync(Roles.Analyst, "/api/trends?granularity=year" + url);
            code.ShouldBe(400, url);
            ErrorFields(JsonSerializer.Deserialize<JsonElement>(text)).ShouldBe([field], url);
        }
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/trends?group=cannabis&national=KGZ&edition=1999")).Status.ShouldBe(404);
        (await GetJsonAsync("/api/trends?group=cannabis&granularity=year")).TryGetProperty("national", out var none).ShouldBe(none.ValueKind == JsonValueKind.Null);
    }

    /// <summary>A file that starts like a zip (an XLSX) but is not one.</summary>
    private static readonly byte[] ImportFilesXlsxGarbage = [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8];
}
