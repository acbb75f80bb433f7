using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

[Collection(WebCollection.Name)]
public sealed partial class OfficerTests(WebNode node)
{
    /// <summary>The demo data's 2015 total (the founding document's 140.9 kg) plus what this test records.</summary>
    private const decimal Demo2015Grams = 140_900m;

    [Fact]
    public async Task an_officer_records_a_seizure_in_russian_words_and_it_counts_on_the_dashboard_and_in_the_report()
    {
        var page = await node.PageAsync("ru-RU");
        await page.GotoAsync("/seizures/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Запись изъятия");

        await page.GetByLabel("Учреждение").FillAsync("СИЗО-1");
        await page.GetByRole(AriaRole.Option).First.WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.GetByLabel("Когда (время Бишкека)").FillAsync("2015-06-10T10:30");
        await page.GetByLabel("Вещество").FillAsync("Героин");
        await page.GetByRole(AriaRole.Option, new() { Name = "Героин" }).WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.GetByLabel("Количество").FillAsync("250");
        await page.GetByLabel("Единица").FillAsync("гр");
        await page.GetByRole(AriaRole.Option).First.WaitForAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Locator("#detection").ClickAsync();
        await page.GetByText("Личный досмотр", new() { Exact = true }).ClickAsync();
        await WebNode.ShotAsync(page, "record-filled-ru");
        await page.Locator("#record-submit").ClickAsync();

        var reference = page.GetByTestId("created-reference");
        await Assertions.Expect(reference).ToHaveTextAsync(ReferencePattern());
        var text = await reference.InnerTextAsync();
        await WebNode.ShotAsync(page, "record-done-ru");

        // Stored as codes, whatever language it was typed in.
        var stored = (await node.Http.GetFromJsonElementAsync($"/api/seizures/by-reference/{text}"))!.Value;
        stored.GetProperty("substance").GetString().ShouldBe("heroin");
        stored.GetProperty("quantity").GetProperty("unit").GetString().ShouldBe("g");
        stored.GetProperty("detection").GetString().ShouldBe("body-search");
        stored.GetProperty("facilityId").GetString().ShouldBe("SIZO-1");
        DateTimeOffset.Parse(stored.GetProperty("occurredAt").GetString()!).ShouldBe(new DateTimeOffset(2015, 6, 10, 10, 30, 0, TimeSpan.FromHours(6)));

        // Its page: the reference, local time (never UTC), the history.
        await page.GetByRole(AriaRole.Link, new() { Name = "Открыть изъятие" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("seizure-reference")).ToHaveTextAsync(text);
        await Assertions.Expect(page.GetByTestId("seizure-occurred")).ToHaveTextAsync("10.06.2015 10:30");
        await Assertions.Expect(page.GetByTestId("history")).ToContainTextAsync("Записано");
        await WebNode.ShotAsync(page, "seizure-ru");

        // Counted on the analyst's dashboard (year on year) and in the working group's report.
        var expected = Demo2015Grams + 250m;
        await node.WaitUntilAsync(async () => await node.YearGramsAsync(2015) == expected, TimeSpan.FromSeconds(30), "the read models to count the seizure");
        var en = await node.PageAsync("en-GB");
        await en.GotoAsync("/analysis?from=2014&to=2015&granularity=year");
        await Assertions.Expect(en.GetByTestId("compare-year-total")).ToHaveTextAsync($"{expected / 1000m:0.00} kg");
        await Assertions.Expect(en.GetByTestId("compare-baseline-total")).ToHaveTextAsync("119.90 kg");
        await en.GotoAsync("/reports/annual?year=2015&baseline=2014");
        var report = en.FrameLocator("[data-testid=report-preview]");
        await Assertions.Expect(report.Locator("tr", new() { HasText = "mass withdrawn" }).First).ToContainTextAsync($"{expected / 1000m:0.000}");
        await WebNode.ShotAsync(en, "report-en");
    }

    [Fact]
    public async Task a_refused_form_shows_each_error_at_its_field_offers_did_you_mean_and_writes_nothing()
    {
        var before = await CountAsync();
        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/seizures/new");
        await page.GetByLabel("Quantity").FillAsync("0");
        await page.GetByLabel("Substance").FillAsync("heroine");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByLabel("Substance")).ToHaveValueAsync("heroine");
        await page.Locator("#record-submit").ClickAsync();
        await page.Keyboard.PressAsync("Escape");

        await Assertions.Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("The seizure was not recorded");
        // Each reason stands under its own field (MudBlazor's helper line of that input).
        await Assertions.Expect(FieldError(page, "facility")).ToContainTextAsync("is required");
        await Assertions.Expect(FieldError(page, "substance")).ToContainTextAsync("did you mean 'heroin'");
        await Assertions.Expect(FieldError(page, "quantity")).ToContainTextAsync("must be greater than zero");
        await Assertions.Expect(FieldError(page, "detection")).ToContainTextAsync("is required");
        (await page.Locator("#substance").GetAttributeAsync("aria-invalid")).ShouldBe("true");
        await Assertions.Expect(page.GetByTestId("did-you-mean")).ToContainTextAsync("Heroin");
        await WebNode.ShotAsync(page, "record-refused-en");

        // The suggestion fixes the field with one click.
        await page.GetByTestId("did-you-mean").GetByRole(AriaRole.Button, new() { Name = "Heroin" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Substance")).ToHaveValueAsync("Heroin");
        (await CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task a_change_based_on_a_stale_read_shows_what_changed_and_is_sent_again_on_the_latest_version()
    {
        // A seizure of 2013 (outside the years other tests count), recorded and then changed by "a colleague" over the API.
        var created = await RecordAsync("2013-05-02T09:00:00+06:00");
        var page = await node.PageAsync("en-GB");
        await page.GotoAsync($"/seizures/{created.Reference}");
        await Assertions.Expect(page.GetByTestId("seizure-reference")).ToHaveTextAsync(created.Reference);

        using (var correction = new HttpRequestMessage(HttpMethod.Post, $"/api/seizures/{created.Id}/corrections"))
        {
            correction.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            correction.Content = JsonContent.Create(new { reason = "weighed again at the evidence room", quantity = new { value = 12.5, unit = "g" } });
            (await node.Http.SendAsync(correction)).EnsureSuccessStatusCode();
        }

        await page.GetByText("Hand over the evidence").First.ClickAsync();
        await page.GetByLabel("Hand over to").FillAsync("evidence-room-SIZO-1");
        await page.GetByLabel("Seal number").FillAsync("S-0042");
        await page.Locator("#custody-reason").FillAsync("stored until the lab collects it");
        await page.Locator("#custody-submit").ClickAsync();

        var stale = page.GetByTestId("stale");
        await Assertions.Expect(stale).ToContainTextAsync("You read version 1; it is now at version 2");
        await Assertions.Expect(stale).ToContainTextAsync("weighed again at the evidence room");
        await Assertions.Expect(stale).ToContainTextAsync(node.ClientId("supervisor"));
        await WebNode.ShotAsync(page, "seizure-stale-en");
        await page.Locator("#retry").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Hand-over recorded" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("custody")).ToContainTextAsync("evidence-room-SIZO-1");
        var stored = (await node.Http.GetFromJsonElementAsync($"/api/seizures/{created.Id}"))!.Value;
        stored.GetProperty("version").GetInt64().ShouldBe(3);
        stored.GetProperty("currentCustodian").GetString().ShouldBe("evidence-room-SIZO-1");
    }

    private static ILocator FieldError(IPage page, string id) =>
        page.Locator($".mud-input-control:has(#{id}) .mud-input-helper-text.mud-input-error");

    private async Task<int> CountAsync()
    {
        var list = (await node.Http.GetFromJsonElementAsync("/api/seizures?limit=500"))!.Value;
        return list.GetProperty("count").GetInt32();
    }

    private async Task<(Guid Id, string Reference)> RecordAsync(string occurredAt)
    {
        var response = await node.Http.PostAsJsonAsync("/api/seizures", new
        {
            facilityId = "IK-47", occurredAt, substance = "cannabis-resin", quantity = new { value = 10, unit = "g" }, detection = "cell-search",
        });
        response.EnsureSuccessStatusCode();
        var body = JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
        return (body.GetProperty("id").GetGuid(), body.GetProperty("reference").GetString()!);
    }

    [GeneratedRegex(@"^SSEP-2015-\d{6}$")]
    private static partial Regex ReferencePattern();
}
