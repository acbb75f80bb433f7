using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

/// <summary>The analyst's page for search effort, interventions and the decomposed change (issue 17), in the browser.</summary>
[Collection(WebCollection.Name)]
public sealed class EffortAnalysisTests(WebNode node)
{
    [Fact]
    public async Task finds_per_1000_screenings_an_interventions_effect_and_the_decomposed_change_are_shown()
    {
        // Effort: 1,000 visitors searched at SIZO-1 in every month of 2015, through the API as a facility would log it.
        var entries = Enumerable.Range(1, 12).Select(m => new { facilityId = "SIZO-1", kind = "visitors-searched", month = $"2015-{m:D2}", amount = 1000 }).ToList();
        (await node.Http.PostAsJsonAsync("/api/effort/import", new { entries })).EnsureSuccessStatusCode();
        var registered = await node.Http.PostAsJsonAsync("/api/interventions", new
        {
            kind = "xray-scanner", facilities = new[] { "SIZO-1" }, startedOn = "2015-07-01", description = "X-ray scanner (end-to-end test)",
            coInterventions = new[] { "special inspection group, same day" },
        });
        registered.EnsureSuccessStatusCode();

        // Independently of the node: SIZO-1's demo finds of 2015 (Bishkek local year) by visitor search, from the demo file.
        var demo = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(WebNode.RepositoryRoot, "src", "SeizureIntel", "Demo", "demo-seizures.json")));
        var finds = demo.GetProperty("seizures").EnumerateArray()
            .Where(s => s.GetProperty("facilityId").GetString() is "SIZO-1" or "No. 21" && s.GetProperty("detection").GetString() == "visitor-search")
            .Count(s => DateTimeOffset.Parse(s.GetProperty("occurredAt").GetString()!, CultureInfo.InvariantCulture).ToOffset(TimeSpan.FromHours(6)).Year == 2015);
        finds.ShouldBeGreaterThan(0);
        var perThousand = (finds * 1000m / 12_000m).ToString("N2", CultureInfo.GetCultureInfo("en-GB"));
        var change = (await node.YearGramsAsync(2015))!.Value - (await node.YearGramsAsync(2014))!.Value;

        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/analysis/effort?facility=SIZO-1&year=2015&baseline=2014");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Search effort, interventions and change");
        var row = page.Locator("[data-testid=rates] tr[data-kind=visitors-searched]");
        await Assertions.Expect(row.Locator("[data-cell=per1000]")).ToHaveTextAsync(perThousand);
        await Assertions.Expect(page.GetByTestId("decomposition"))
            .ToContainTextAsync($"Of the +{(change / 1000m).ToString("0.0", CultureInfo.InvariantCulture)} kg change from 2014 to 2015");

        await Assertions.Expect(page.GetByTestId("interventions")).ToContainTextAsync("X-ray scanner (end-to-end test)");
        await page.GetByTestId("show-effect").First.ClickAsync();
        var effect = page.GetByTestId("effect");
        await Assertions.Expect(effect.Locator("[data-model=single] tr[data-estimate='level change']")).ToHaveCountAsync(1);
        // The co-intervention on the same day is named in the warnings: the effect cannot be put down to the scanner alone.
        await Assertions.Expect(effect).ToContainTextAsync("special inspection group");
        await WebNode.ShotAsync(page, "effort-en");

        var ru = await node.PageAsync("ru-RU");
        await ru.GotoAsync("/analysis/effort?facility=SIZO-1&year=2015&baseline=2014");
        await Assertions.Expect(ru.GetByTestId("decomposition")).ToContainTextAsync("Из изменения на +");
    }

    [Fact]
    public async Task the_report_page_lists_what_changed_since_its_as_of_instant()
    {
        // The cut-off is a whole minute in Bishkek (what the page's input holds), already past; a seizure of 2013 (a year no other browser test counts) recorded after it.
        var local = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(6));
        var cutOff = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0);
        await Task.Delay(1000);
        var response = await node.Http.PostAsJsonAsync("/api/seizures", new
        {
            facilityId = "IK-47", occurredAt = "2013-11-20T10:00:00+06:00", substance = "cannabis-resin", quantity = new { value = 5, unit = "g" },
            detection = "cell-search",
        });
        response.EnsureSuccessStatusCode();
        var reference = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync()).GetProperty("reference").GetString()!;

        var page = await node.PageAsync("en-GB");
        await page.GotoAsync($"/reports/annual?year=2013&baseline=2012&asOf={cutOff:yyyy-MM-dd'T'HH:mm}");
        var row = page.GetByTestId("restated-records").Locator("tr", new() { HasText = reference });
        await Assertions.Expect(row).ToContainTextAsync("recorded late");
        await Assertions.Expect(row.Locator("[data-effect-year='2013']")).ToHaveTextAsync("2013: +1, +5 g");
        await WebNode.ShotAsync(page, "report-restatement-en");
    }
}
