using System.Net;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Reports;

/// <summary>The working group reads the report in Russian: names, headings, headline and sheets; the CSV keeps its layout.</summary>
public sealed class ReportLanguageTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<byte[]> GetAsync(string url)
    {
        var result = await Host.Scenario(s => s.Get.Url(url));
        using var memory = new MemoryStream();
        await result.Context.Response.Body.CopyToAsync(memory);
        return memory.ToArray();
    }

    [Fact]
    public async Task lang_ru_gives_russian_names_headings_headline_and_sheets_with_the_same_figures()
    {
        await RecordAsync(Body(occurredAt: "2015-03-14T10:30:00+06:00", substance: "heroin", value: 1500, unit: "g"));
        await RecordAsync(Body(occurredAt: "2014-05-14T10:30:00+06:00", substance: "heroin", value: 1000, unit: "g"));
        await WaitForProjectionsAsync();

        var html = Encoding.UTF8.GetString(await GetAsync("/api/reports/annual/2015?baseline=2014&lang=ru"));
        html.ShouldContain("<html lang=\"ru\">");
        html.ShouldContain("Изъятия наркотических средств: 2015 год в сравнении с 2014");
        // 1.5 kg against 1.0 kg: +50 %, computed here, said in Russian with a decimal comma.
        html.ShouldContain("В 2015 году SSEP изъяло 1,5 кг наркотических средств (в 2014 году — 1,0 кг), рост на 50,0 %.");
        html.ShouldContain("<td class=\"k\">Героин</td>");
        html.ShouldContain("По веществам");
        html.ShouldContain("<td class=\"k\">изъятая масса</td><td>кг</td><td>1.500</td><td>1.000</td><td>+50.0</td>");
        html.ShouldNotContain("Provenance");

        var csv = Encoding.UTF8.GetString(await GetAsync("/api/reports/annual/2015?baseline=2014&lang=ru&format=csv"));
        csv.ShouldContain("section,by_substance\nkey,name,year_count,year_grams");
        csv.ShouldContain("heroin,Героин,1,1500,0,0,1,1000,0,0,50");

        using var stream = new MemoryStream(await GetAsync("/api/reports/annual/2015?baseline=2014&lang=ru&format=xlsx"));
        using var document = SpreadsheetDocument.Open(stream, false);
        document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value)
            .ShouldBe(["Сводка", "Ведомство", "Группа веществ", "Вещество", "Учреждение", "Область", "Обнаружение", "Проникновение", "Месяц", "Совместные операции", "Изменение массы"]);

        var english = Encoding.UTF8.GetString(await GetAsync("/api/reports/annual/2015?baseline=2014"));
        english.ShouldContain("<html lang=\"en\">");
        english.ShouldContain("In 2015 SSEP withdrew 1.5 kg of narcotic drugs (1.0 kg in 2014), an increase of 50.0 %.");
    }

    [Fact]
    public async Task an_unknown_language_is_refused_by_name()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/reports/annual/2015?lang=kg");
            s.StatusCodeShouldBe(HttpStatusCode.BadRequest);
        });
        ErrorFields(JsonSerializer.Deserialize<JsonElement>(await result.ReadAsTextAsync())).ShouldBe(["lang"]);
    }
}
