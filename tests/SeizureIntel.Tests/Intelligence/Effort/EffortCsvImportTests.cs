using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SeizureIntel.Tests.Support;
using Shouldly;

namespace SeizureIntel.Tests.Intelligence.Effort;

/// <summary>POST /api/effort/imports: search effort from a CSV file, all or nothing, refusals by line and column.</summary>
public sealed class EffortCsvImportTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(byte[] file, bool multipart = false)
    {
        using var client = Host.Server.CreateClient();
        client.DefaultRequestHeaders.Add("X-User", "officer-1");
        HttpContent content = multipart
            ? new MultipartFormDataContent { { new ByteArrayContent(file), "file", "effort.csv" } }
            : new ByteArrayContent(file) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } };
        var response = await client.PostAsync("/api/effort/imports", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text));
    }

    [Fact]
    public async Task a_russian_excel_file_in_windows_1251_is_imported_and_the_rates_use_it()
    {
        // What Excel writes in Russia: Windows-1251, semicolons, decimal commas, Russian headers in another order.
        var csv = "Учреждение;Месяц;Вид;Количество;Примечание\r\n" +
                  "SIZO-1;2015-01;parcels-xrayed;1 200;январь\r\n" +
                  "SIZO-1;2015-02;parcels-xrayed;800;\r\n" +
                  "SIZO-1;2015-01;dog-team-hours;12,5;\"кинолог; смена\"\r\n";
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var (status, body) = await PostAsync(Encoding.GetEncoding(1251).GetBytes(csv), multipart: true);
        status.ShouldBe(HttpStatusCode.Created, body.ToString());
        body.GetProperty("ids").GetArrayLength().ShouldBe(3);

        var entry = await GetJsonAsync($"/api/effort/{body.GetProperty("ids")[2].GetGuid()}");
        entry.GetProperty("amount").GetDecimal().ShouldBe(12.5m);
        entry.GetProperty("notes").GetString().ShouldBe("кинолог; смена");
        var rates = await GetJsonAsync("/api/facilities/SIZO-1/rates?from=2015-01&to=2015-02&granularity=year");
        var kinds = rates.GetProperty("periods")[0].GetProperty("kinds").EnumerateArray();
        kinds.Single(k => k.GetProperty("kind").GetString() == "parcels-xrayed").GetProperty("amount").GetDecimal().ShouldBe(1200m + 800m);
    }

    [Fact]
    public async Task one_bad_line_refuses_the_file_naming_each_line_and_column_and_nothing_is_written()
    {
        var before = await EventCountAsync();
        var csv = "facility,kind,date,month,amount,notes\n" +
                  "SIZO-1,parcels-xrayed,,2015-01,100,\n" +
                  "SIZO-1,nope,,2015-01,100,\n" +
                  "NOWHERE,cell-searches,2015-01-03,,2.5,\n" +
                  "SIZO-1,cell-searches,2015-01-03,2015-01,4,\n";
        var (status, body) = await PostAsync(Encoding.UTF8.GetBytes(csv));
        status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorFields(body).ShouldBe(["lines[3].kind", "lines[4].amount", "lines[4].facilityId", "lines[5].date"]);
        (await EventCountAsync()).ShouldBe(before);

        (status, body) = await PostAsync(Encoding.UTF8.GetBytes("facility;kind;amount\nSIZO-1;cell-searches;3\n"));
        status.ShouldBe(HttpStatusCode.BadRequest);
        ErrorFields(body).ShouldBe(["lines[1]"]);
        body.GetProperty("errors").GetProperty("lines[1]")[0].GetString()!.ShouldContain("date or month");
        (await EventCountAsync()).ShouldBe(before);
    }
}
