using SeizureIntel.Pipeline;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Identity;
using SeizureIntel.Imports;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Imports.ImportFiles;

namespace SeizureIntel.Tests.Imports;

/// <summary>Imports through the API against the real node and PostgreSQL: clean, damaged and hostile files.</summary>
public sealed class ImportApiTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Header = "reference,facility,occurred_at,substance,quantity,unit,detection,place,entry,concealment,possession,lat,lon,notes";

    /// <summary>n real-shaped rows at SIZO-1 in 2015 (heroin and hashish, grams and kilograms) and their total in grams.</summary>
    private static (string Csv, decimal Grams) Clean(int n, string prefix = "R")
    {
        var text = new StringBuilder(Header).Append('\n');
        decimal grams = 0;
        for (var i = 1; i <= n; i++)
        {
            var kg = i % 3 == 0;
            var value = kg ? 1.25m + i % 7 : 3.5m + i % 11;
            grams += kg ? value * 1000 : value;
            text.Append($"{prefix}-{i},SIZO-1,2015-{1 + i % 12:D2}-{1 + i % 28:D2}T10:30:00+06:00,{(i % 2 == 0 ? "heroin" : "hashish")},")
                .Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(kg ? ",kg" : ",g")
                .Append(",visitor-search,,,,,,,\"parcel, row ").Append(i).Append("\"\n");
        }
        return (text.ToString(), grams);
    }

    private HttpClient Client()
    {
        var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-User", "importer-1");
        return client;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, Uri? Location)> PostAsync(byte[] file, string query = "", string? mapping = null, bool multipart = false, string fileName = "seizures.csv")
    {
        using var client = Client();
        HttpContent content;
        if (multipart || mapping is not null)
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", fileName } };
            if (mapping is not null) form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(mapping)), "mapping", "mapping.json");
            content = form;
        }
        else content = new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };
        var response = await client.PostAsync("/api/imports" + query, content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text), response.Headers.Location);
    }

    /// <summary>Posts and waits until the import has finished; returns its final state.</summary>
    private async Task<JsonElement> ImportAsync(byte[] file, string query = "", string? mapping = null, bool multipart = false, string fileName = "seizures.csv")
    {
        var (status, body, location) = await PostAsync(file, query, mapping, multipart, fileName);
        status.ShouldBe(HttpStatusCode.Accepted, body.ToString());
        location!.ToString().ShouldBe($"/api/imports/{body.GetProperty("id").GetGuid()}");
        return await FinishedAsync(location.ToString());
    }

    private async Task<JsonElement> FinishedAsync(string url)
    {
        JsonElement import = default;
        await NodeApi.EventuallyAsync(async () =>
        {
            import = await GetJsonAsync(url);
            return import.GetProperty("status").GetString() is "completed" or "checked" or "refused" or "failed";
        }, "the import finishes", 120);
        return import;
    }

    private static int Int(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    private async Task<List<SeizureRecorded>> RecordedAsync()
    {
        await using var session = Store.QuerySession();
        return (await session.Events.QueryRawEventDataOnly<SeizureRecorded>().ToListAsync()).ToList();
    }

    [Fact]
    public async Task A_clean_file_is_imported_once_with_its_provenance_and_counted_in_the_totals()
    {
        var (csv, grams) = Clean(2500);
        var bytes = Utf8(csv);
        var import = await ImportAsync(bytes);
        import.GetProperty("status").GetString().ShouldBe("completed");
        (Int(import, "rowsRead"), Int(import, "rowsValid"), Int(import, "rowsImported"), Int(import, "rowsRefused")).ShouldBe((2500, 2500, 2500, 0));

        var recorded = await RecordedAsync();
        recorded.Count.ShouldBe(2500);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        recorded.ShouldAllBe(r => r.ImportedFrom!.FileSha256 == sha && r.RecordedBy == "importer-1" && r.Agency == "SSEP");
        recorded.Select(r => r.ImportedFrom!.Line).Order().ShouldBe(Enumerable.Range(2, 2500));
        recorded.Select(r => r.Reference).Distinct().Count().ShouldBe(2500); // gapless references, one each
        recorded.Select(r => r.Reference).Order().Last().ShouldBe("SSEP-2015-002500");
        var row7 = recorded.Single(r => r.ImportedFrom!.Line == 8); // R-7: hashish, 3.5 + 7 g, 2015-08-08
        (row7.Substance, row7.Quantity.Value, row7.Quantity.Unit, row7.Notes).ShouldBe(("cannabis-resin", 10.5m, "g", "parcel, row 7"));
        row7.OccurredAt.ShouldBe(new DateTimeOffset(2015, 8, 8, 4, 30, 0, TimeSpan.Zero));

        (await Host.YearGramsAsync(2015)).ShouldBe(grams);
        (await GetJsonAsync($"/api/seizures/{row7.SeizureId}")).GetProperty("reference").GetString().ShouldBe(row7.Reference);

        // the same file again, and the same rows in another file (Russian headers, semicolons): nothing new, and it says so
        var again = await ImportAsync(bytes);
        (Int(again, "rowsImported"), Int(again, "rowsAlreadyImported")).ShouldBe((0, 2500));
        var russian = csv.Replace(Header, "номер;учреждение;дата;вещество;количество;единица;способ обнаружения;место;способ проникновения;способ сокрытия;владение;широта;долгота;примечания")
            .Split('\n').Select((line, i) => i == 0 ? line : line.Replace(",", ";").Replace("\"parcel; row", "\"parcel, row")).Aggregate((a, b) => a + "\n" + b);
        var other = await ImportAsync(Utf8(russian, bom: true));
        (Int(other, "rowsRead"), Int(other, "rowsImported"), Int(other, "rowsAlreadyImported")).ShouldBe((2500, 0, 2500));
        (await StreamCountAsync()).ShouldBe(2500);
    }

    [Fact]
    public async Task An_imported_seizure_is_stored_as_the_api_stores_it_and_is_corrected_like_one()
    {
        // the same seizure twice: once from a file (the import writes Marten's tables itself), once through POST /api/seizures
        var import = await ImportAsync(Utf8(Header + "\nR-1,SIZO-1,2015-03-14T10:30:00+06:00,heroin,12.5,g,visitor-search,,,,,,,parcel\n"));
        (Int(import, "rowsImported"), Int(import, "rowsRefused")).ShouldBe((1, 0));
        var imported = (await RecordedAsync()).Single().SeizureId;
        var recorded = (await Host.RecordAsync(Body(substance: "heroin", value: 12.5m, unit: "g", notes: "parcel"), "importer-1")).Id;

        // Marten's rows of both: the same stream type, versions, tenant, event type names and columns, the same document metadata
        async Task<string> RowsAsync(Guid id)
        {
            await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
            await connection.OpenAsync();
            var schema = Store.Options.DatabaseSchemaName;
            await using var command = new Npgsql.NpgsqlCommand(
                $"""
                 select concat_ws('|', s.type, s.version, s.tenant_id, s.is_archived, s.compacted_version, s.created = s.timestamp,
                   e.version, e.type, e.mt_dotnet_type, e.tenant_id, e.is_archived, e.bdata is null, abs(extract(epoch from e.timestamp - s.timestamp)) < 60,
                   e.seq_id = (select max(seq_id) from {schema}.mt_events where stream_id = s.id),
                   (select string_agg(k, ',' order by k) from jsonb_object_keys(e.data) k),
                   d.mt_dotnet_type, d.mt_version, (select string_agg(k, ',' order by k) from jsonb_object_keys(d.data) k))
                 from {schema}.mt_streams s join {schema}.mt_events e on e.stream_id = s.id join {schema}.mt_doc_seizure d on d.id = s.id
                 where s.id = @id
                 """, connection);
            command.Parameters.AddWithValue("id", id);
            return (string)(await command.ExecuteScalarAsync())!;
        }
        (await RowsAsync(imported)).ShouldBe(await RowsAsync(recorded));

        // the stored snapshot is what Marten folds from the events, and the same as the API's but for identity and time
        var serializer = Store.Options.Serializer();
        await using (var session = Store.LightweightSession())
        {
            foreach (var id in new[] { imported, recorded })
            {
                var stored = await session.LoadAsync<SeizureIntel.Seizures.Seizure>(id);
                var folded = await session.Events.AggregateStreamAsync<SeizureIntel.Seizures.Seizure>(id);
                serializer.ToJson(stored!).ShouldBe(serializer.ToJson(folded!));
                var writing = await session.Events.FetchForWriting<SeizureIntel.Seizures.Seizure>(id);
                (writing.CurrentVersion, writing.Aggregate!.Reference).ShouldBe((1L, stored!.Reference));
            }
            string Comparable(SeizureIntel.Seizures.Seizure s)
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(serializer.ToJson(s))!.AsObject();
                foreach (var name in new[] { "id", "reference", "recordedAt" }) json.Remove(name);
                return json.ToJsonString();
            }
            Comparable((await session.LoadAsync<SeizureIntel.Seizures.Seizure>(imported))!)
                .ShouldBe(Comparable((await session.LoadAsync<SeizureIntel.Seizures.Seizure>(recorded))!));
        }

        // corrected through the API like any other, and counted alike in the read models
        foreach (var id in new[] { imported, recorded })
        {
            await Host.ChangeAsync(id, "corrections", new { reason = "weighed again", quantity = new { value = 13.5m, unit = "g" } }, 1, user: "importer-1");
            var now = await GetJsonAsync($"/api/seizures/{id}");
            (now.GetProperty("version").GetInt64(), now.GetProperty("quantity").GetProperty("value").GetDecimal()).ShouldBe((2L, 13.5m));
        }
        (await Host.YearGramsAsync(2015)).ShouldBe(13.5m + 13.5m);
    }

    [Fact]
    public async Task Rows_without_a_reference_are_recognised_by_content()
    {
        const string file = "facility,occurred_at,substance,quantity,unit,detection\nSIZO-1,14.03.2015,heroin,12,g,visitor-search\nSIZO-1,15.03.2015,heroin,1,kg,visitor-search\n";
        (await ImportAsync(Utf8(file)).ContinueWith(t => Int(t.Result, "rowsImported"))).ShouldBe(2);
        // the same seizures as XLSX: dates as Excel serials, quantities in other units' spelling
        var xlsx = Xlsx(["учреждение", "дата", "вещество", "количество", "единица", "способ обнаружения"],
            ["SIZO-1", 42077, "Героин", 12, "г", "visitor-search"], ["SIZO-1", 42078, "heroin", 1, "кг", "visitor-search"]);
        var again = await ImportAsync(xlsx, multipart: true, fileName: "seizures.xlsx");
        again.GetProperty("format").GetString().ShouldBe("xlsx");
        (Int(again, "rowsImported"), Int(again, "rowsAlreadyImported")).ShouldBe((0, 2));
        var recorded = await RecordedAsync();
        recorded.ShouldAllBe(r => r.ImportedFrom!.DateOnly && r.LocalDate.Year == 2015);
        recorded.Select(r => r.OccurredAt).Order().First().ShouldBe(new DateTimeOffset(2015, 3, 14, 0, 0, 0, TimeSpan.FromHours(6)));
    }

    /// <summary>A damaged file: Windows-1251, tabs/semicolons, decimal commas, a mapping with aliases, trailing columns, hostile cells.</summary>
    private static string Damaged =>
        "Объект;Когда изъято;Вещество;Масса;Ед.;Способ обнаружения;Примечания;;\r\n" +
        "SIZO-1;14.03.2015 10:30;гашиш;2 031,15;гр;visitor-search;в посылке;;\r\n" +           // line 2: good
        "SIZO-1;15.03.2015;героин;0,5;кг;visitor-search;\"в подошве; \"\"левый\"\"\";;\r\n" +  // line 3: good
        "=cmd|' /C calc'!A0;16.03.2015;героин;1;г;visitor-search;;;\r\n" +                      // line 4: hostile facility
        "SIZO-1;31.02.2015;героин;1;г;visitor-search;;;\r\n" +                                  // line 5: no such date
        "SIZO-1;16.03.2015;героин;-2;г;visitor-search;;;\r\n" +                                 // line 6: not positive
        "SIZO-1;16.03.2030;героин;2;г;visitor-search;;;\r\n" +                                  // line 7: in the future
        "SIZO-1;17.03.2015;гашиш;1,5;гр;visitor-search;@SUM(A1);;\r\n";                         // line 8: good, formula-like notes kept as text

    private const string Mapping = """
        { "columns": { "facility": "Объект", "occurred_at": "Когда изъято", "quantity": "Масса", "unit": "Ед." },
          "values": { "substance": { "гашиш": "cannabis-resin" } } }
        """;

    [Fact]
    public async Task A_damaged_file_with_bad_rows_writes_nothing_and_lists_every_refusal_safely()
    {
        var import = await ImportAsync(Cp1251(Damaged), mapping: Mapping);
        import.GetProperty("status").GetString().ShouldBe("refused");
        (Int(import, "rowsRead"), Int(import, "rowsValid"), Int(import, "rowsRefused"), Int(import, "rowsImported")).ShouldBe((7, 3, 4, 0));
        (await StreamCountAsync()).ShouldBe(0);
        var refusals = import.GetProperty("refusals").EnumerateArray()
            .Select(r => (r.GetProperty("line").GetInt32(), r.GetProperty("column").GetString())).ToList();
        refusals.ShouldBe([(4, "facility"), (5, "occurred_at"), (6, "quantity"), (7, "occurred_at")]);

        using var client = Client();
        var csv = await client.GetStringAsync($"/api/imports/{import.GetProperty("id").GetGuid()}?format=csv");
        var lines = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("line,column,value,why");
        lines[1].ShouldStartWith("4,facility,'=cmd|' /C calc'!A0,");
        lines.Skip(1).ShouldAllBe(l => !l.Split(',').Any(SafeCells.IsDangerous));
    }

    [Fact]
    public async Task Skip_invalid_writes_the_valid_rows_and_returns_the_rest()
    {
        var import = await ImportAsync(Cp1251(Damaged), "?skipInvalid=true", Mapping);
        import.GetProperty("status").GetString().ShouldBe("completed");
        (Int(import, "rowsImported"), Int(import, "rowsRefused")).ShouldBe((3, 4));
        var recorded = (await RecordedAsync()).OrderBy(r => r.ImportedFrom!.Line).ToList();
        recorded.Select(r => (r.ImportedFrom!.Line, r.Substance, r.Quantity.Value, r.Quantity.Unit)).ShouldBe(
            [(2, "cannabis-resin", 2031.15m, "g"), (3, "heroin", 0.5m, "kg"), (8, "cannabis-resin", 1.5m, "g")]);
        recorded[1].Notes.ShouldBe("в подошве; \"левый\"");
        recorded[2].Notes.ShouldBe("@SUM(A1)"); // stored as typed; neutralised only on export
        recorded[0].OccurredAt.ShouldBe(new DateTimeOffset(2015, 3, 14, 10, 30, 0, TimeSpan.FromHours(6)));
        (recorded[0].ImportedFrom!.DateOnly, recorded[1].ImportedFrom!.DateOnly).ShouldBe((false, true));
    }

    [Fact]
    public async Task A_decimal_comma_csv_with_a_trailing_empty_header_cell_imports_its_split_figures_and_refuses_the_ambiguous_line()
    {
        // Excel in a decimal-comma locale, saved as comma-separated: the header and every line end in an empty cell
        var file = Header + ",\n" +
                   "T-1,SIZO-1,14.03.2015,heroin,2031,15,g,visitor-search,,,,,42,87,74,59,,\n" +  // quantity, lat, lon split
                   "T-2,SIZO-1,15.03.2015,heroin,12,g,visitor-search,,,,,42,87,74,in a shoe,\n"; // 42,87|74 or 42|87,74
        var import = await ImportAsync(Utf8(file));
        import.GetProperty("status").GetString().ShouldBe("refused");
        var refusal = import.GetProperty("refusals").EnumerateArray().ShouldHaveSingleItem();
        refusal.GetProperty("line").GetInt32().ShouldBe(3);
        refusal.GetProperty("why").GetString()!.ShouldContain("more than one way");
        (await StreamCountAsync()).ShouldBe(0);

        var skipped = await ImportAsync(Utf8(file), "?skipInvalid=true");
        (Int(skipped, "rowsImported"), Int(skipped, "rowsRefused")).ShouldBe((1, 1));
        var recorded = (await RecordedAsync()).ShouldHaveSingleItem();
        (recorded.ImportedFrom!.Line, recorded.Quantity.Value, recorded.Quantity.Unit, recorded.Notes).ShouldBe((2, 2031.15m, "g", null));
        (recorded.Location!.Lat, recorded.Location.Lon).ShouldBe((42.87, 74.59));
    }

    [Fact]
    public async Task A_dry_run_checks_and_writes_nothing()
    {
        var import = await ImportAsync(Utf8(Clean(10).Csv), "?dryRun=true");
        (import.GetProperty("status").GetString(), Int(import, "rowsValid"), Int(import, "rowsImported")).ShouldBe(("checked", 10, 0));
        (await StreamCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task The_template_downloads_in_both_formats_and_imports_as_it_is()
    {
        using var client = Client();
        var csv = await client.GetByteArrayAsync("/api/imports/template?format=csv");
        Encoding.UTF8.GetString(csv).TrimStart('\uFEFF').Split('\n')[0].ShouldBe(Header);
        var xlsx = await client.GetByteArrayAsync("/api/imports/template?format=xlsx&lang=ru");
        var readBack = ReadAll(xlsx);
        readBack.Good.ShouldHaveSingleItem()["facility"].ShouldBe("SIZO-1");
        (await client.GetAsync("/api/imports/template?format=pdf")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await ImportAsync(csv)).GetProperty("rowsImported").GetInt32().ShouldBe(1);
        (await ImportAsync(xlsx, multipart: true, fileName: "t.xlsx")).GetProperty("rowsAlreadyImported").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Bad_requests_are_400s_naming_the_field_and_an_unreadable_file_fails_on_line_1()
    {
        var (status, body, _) = await PostAsync([]);
        status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorFields(body).ShouldBe(["file"]);
        (status, body, _) = await PostAsync(Utf8("a,b\n"), "?skipInvalid=perhaps");
        ErrorFields(body).ShouldBe(["skipInvalid"]);
        (status, body, _) = await PostAsync(Utf8("a,b\n"), mapping: "{ \"columns\": { \"weight\": \"x\" } }");
        ErrorFields(body).ShouldBe(["mapping"]);
        using var client = Client();
        (await client.GetAsync($"/api/imports/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/imports/not-an-id")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var failed = await ImportAsync(Utf8("name,age\nx,1\n"));
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("refusals")[0].GetProperty("line").GetInt32().ShouldBe(1);
        (await ImportAsync([0x50, 0x4B, 0x03, 0x04, 0, 0])).GetProperty("status").GetString().ShouldBe("failed");
    }

    [Fact]
    public async Task An_import_interrupted_between_batches_resumes_without_writing_a_row_twice()
    {
        var rows = 2 * SeizureImporter.BatchSize + 600;
        var (csv, grams) = Clean(rows, "C");
        var (import, importer) = await ImportCrashingAfterFirstBatchAsync(csv, "crash.csv");
        var stopped = await GetJsonAsync($"/api/imports/{import.Id}");
        (stopped.GetProperty("status").GetString(), Int(stopped, "rowsImported")).ShouldBe(("writing", SeizureImporter.BatchSize));
        (await StreamCountAsync()).ShouldBe(SeizureImporter.BatchSize);

        var resumed = await importer.RunAsync(import.Id, null, CancellationToken.None);
        (resumed.Status, resumed.RowsImported, resumed.RowsAlreadyImported, resumed.Resumed).ShouldBe((ImportStatus.Completed, rows, 0, 1));
        (await StreamCountAsync()).ShouldBe(rows);
        (await Host.YearGramsAsync(2015)).ShouldBe(grams);
    }

    [Fact]
    public async Task An_import_whose_staging_is_gone_after_a_crash_stages_the_file_again_and_resumes_without_writing_a_row_twice()
    {
        var services = Host.Services;
        var rows = SeizureImporter.BatchSize + 300;
        var (csv, grams) = Clean(rows, "G");
        var (import, importer) = await ImportCrashingAfterFirstBatchAsync(csv, "gone.csv");
        // what a PostgreSQL crash does to an unlogged staging table: it is emptied (here: gone altogether)
        await SeizureEventCopy.DropStagingAsync(Store, services.GetRequiredService<Npgsql.NpgsqlDataSource>(), import.Id, CancellationToken.None);

        var resumed = await importer.RunAsync(import.Id, null, CancellationToken.None);
        (resumed.Status, resumed.RowsImported, resumed.RowsAlreadyImported, resumed.Resumed).ShouldBe((ImportStatus.Completed, rows, 0, 1));
        (await StreamCountAsync()).ShouldBe(rows);
        (await Host.YearGramsAsync(2015)).ShouldBe(grams);
    }

    /// <summary>Starts an import of <paramref name="csv"/> and "crashes" it: the process stops right after the first batch has committed.</summary>
    private async Task<(SeizureImport Import, SeizureImporter Importer)> ImportCrashingAfterFirstBatchAsync(string csv, string name)
    {
        await using var file = new MemoryStream(Utf8(csv));
        var import = await ImportIntake.CreateAsync(Store, file, new ImportOptions(false, false, null, name), new Actor("importer-1", "SSEP"),
            DateTimeOffset.UtcNow, CancellationToken.None);
        var importer = Host.Services.GetRequiredService<SeizureImporter>();
        using var crash = new CancellationTokenSource();
        await Should.ThrowAsync<OperationCanceledException>(() => importer.RunAsync(import.Id, p =>
        {
            if (p.RowsImported >= SeizureImporter.BatchSize) crash.Cancel();
        }, crash.Token));
        return (import, importer);
    }
}
