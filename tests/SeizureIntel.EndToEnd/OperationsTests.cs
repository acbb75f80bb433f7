using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

[Collection(WebCollection.Name)]
public sealed class OperationsTests(WebNode node)
{
    [Fact]
    public async Task an_operation_is_planned_launched_given_a_seizure_and_concluded_on_the_board()
    {
        // A seizure of 2012 to link (outside the years the other tests count).
        var recorded = await node.Http.PostAsJsonAsync("/api/seizures", new
        {
            facilityId = "SIZO-1", occurredAt = "2012-09-01T12:00:00+06:00", substance = "heroin", quantity = new { value = 40, unit = "g" },
            detection = "visitor-search",
        });
        recorded.EnsureSuccessStatusCode();
        var reference = JsonSerializer.Deserialize<JsonElement>(await recorded.Content.ReadAsStringAsync()).GetProperty("reference").GetString()!;

        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/operations");
        await page.GetByText("Plan an operation").First.ClickAsync();
        var codeName = $"KARAVAN-{Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()}";
        var bishkekToday = DateTime.UtcNow.AddHours(6).Date;
        await PlanAsync(page, codeName, bishkekToday);
        var id = page.Url[^36..];
        await Assertions.Expect(page.GetByTestId("op-status")).ToHaveTextAsync("Planned");
        await page.Locator("#op-launch").ClickAsync();
        await Assertions.Expect(page.GetByTestId("op-status")).ToHaveTextAsync("Launched");
        await page.Locator("#op-link-ref").FillAsync(reference);
        await page.Locator("#op-link").ClickAsync();
        await Assertions.Expect(page.Locator("table", new() { HasText = reference })).ToBeVisibleAsync();
        await WebNode.ShotAsync(page, "operation-en");
        await page.Locator("#op-summary").FillAsync("two couriers stopped at the visitors' entrance");
        await page.Locator("#op-conclude").ClickAsync();
        await Assertions.Expect(page.GetByTestId("op-status")).ToHaveTextAsync("Concluded");

        var stored = (await node.Http.GetFromJsonElementAsync($"/api/operations/{id}"))!.Value;
        stored.GetProperty("status").GetString().ShouldBe("concluded");
        stored.GetProperty("seizures").EnumerateArray().Select(s => s.GetProperty("reference").GetString()).ShouldBe([reference]);
        stored.GetProperty("targetFacilities").EnumerateArray().Select(f => f.GetString()).ShouldBe(["SIZO-1"]);

        await page.GotoAsync("/operations");
        var concluded = page.Locator("section.board-column", new() { HasText = "Concluded" });
        await Assertions.Expect(concluded.Locator(".mud-card", new() { HasText = codeName })).ToContainTextAsync("1 seizures");
        await WebNode.ShotAsync(page, "board-en");
    }

    /// <summary>
    /// Fills the plan form the way a person does, field by field (Tab after each, so every value reaches the server before
    /// the next; the facility list closed only once its choice is taken), and submits it. A refusal fails the test with
    /// the reasons the page shows, after one more try: one run in a few typed at machine speed got a 400 from the node,
    /// and nothing said which field.
    /// </summary>
    private static async Task PlanAsync(IPage page, string codeName, DateTime bishkekToday)
    {
        for (var attempt = 1; ; attempt++)
        {
            async Task Fill(string id, string value)
            {
                await page.Locator(id).FillAsync(value);
                await page.Locator(id).PressAsync("Tab");
                await Assertions.Expect(page.Locator(id)).ToHaveValueAsync(value);
            }
            await Fill("#op-codename", codeName);
            await Fill("#op-start", bishkekToday.AddDays(-1).AddHours(8).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
            await Fill("#op-end", bishkekToday.AddDays(2).AddHours(18).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture));
            // The select shows its chosen values in its input (#op-facilities); a second click would deselect.
            if (!(await page.Locator("#op-facilities").InputValueAsync()).Contains("SIZO-1"))
            {
                await page.Locator(".mud-select:has(#op-facilities) .mud-input-control").ClickAsync();
                var option = page.GetByRole(AriaRole.Option, new() { Name = "SIZO-1 — СИЗО-1" });
                await option.ClickAsync();
                // Closed only once the choice is taken (an Escape before that left the list open over the form).
                await Assertions.Expect(option).ToHaveAttributeAsync("aria-selected", "true");
                await page.Keyboard.PressAsync("Escape");
                await Assertions.Expect(option).ToBeHiddenAsync();
            }
            await Assertions.Expect(page.Locator("#op-facilities")).ToHaveValueAsync(new Regex("SIZO-1"));
            await Fill("#op-legal", "MOU SSEP–SSDC");
            await page.Locator("#op-plan").ClickAsync();
            try
            {
                await page.WaitForURLAsync(new Regex("/operations/[0-9a-f-]{36}$"), new() { Timeout = 30_000 });
                return;
            }
            catch (TimeoutException)
            {
                var shown = string.Join("; ", await page.Locator(".mud-input-error, [role=alert]").AllInnerTextsAsync());
                await WebNode.ShotAsync(page, $"operation-plan-refused-{attempt}");
                if (attempt == 2) throw new TimeoutException($"the plan was not accepted twice; the page shows: {shown}");
            }
        }
    }
}
