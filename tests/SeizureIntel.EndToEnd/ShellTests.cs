using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

[Collection(WebCollection.Name)]
public sealed class ShellTests(WebNode node)
{
    [Fact]
    public async Task the_browser_language_is_the_default_and_the_switch_is_remembered()
    {
        var page = await node.PageAsync("ru-RU");
        await page.GotoAsync("/");
        var heading = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
        await Assertions.Expect(heading).ToHaveTextAsync("Изъятия наркотиков в пенитенциарной системе");
        (await page.Locator("html").GetAttributeAsync("lang")).ShouldBe("ru");
        await WebNode.ShotAsync(page, "home-ru");

        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(heading).ToHaveTextAsync("Drug seizures in the penitentiary system");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Record a seizure" }).First).ToBeVisibleAsync();

        // Remembered: a new visit in the same browser, still asking for Russian, stays in English.
        await page.GotoAsync("/seizures/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Record a seizure");
        await WebNode.ShotAsync(page, "home-en-record");
        (await page.ContentAsync()).ShouldNotContain("⟦");
        File.WriteAllText(Path.Combine(WebNode.Artefacts, "record.html"), await page.ContentAsync());
    }
}
