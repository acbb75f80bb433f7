using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

/// <summary>Signing in through the node's own sign-in page, per role, and what each role may open.</summary>
[Collection(WebCollection.Name)]
public sealed class SignInTests(WebNode node)
{
    [Fact]
    public async Task a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in_page()
    {
        var page = await node.NewPageAsync("en-GB");
        await page.GotoAsync("/analysis");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in to SeizureIntel");
        page.Url.ShouldContain("/account/login");
        await WebNode.ShotAsync(page, "sign-in-en");
    }

    [Fact]
    public async Task an_officer_cannot_reach_analyst_pages_and_an_analyst_can()
    {
        var officer = await node.PageAsync("en-GB", "officer");
        await officer.GotoAsync("/analysis");
        await Assertions.Expect(officer.GetByTestId("forbidden")).ToBeVisibleAsync();
        await WebNode.ShotAsync(officer, "forbidden-officer-en");

        var analyst = await node.PageAsync("en-GB", "analyst");
        await analyst.GotoAsync("/analysis");
        await Assertions.Expect(analyst.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Trends, comparison and map");

        // Signing out ends the session: the next page asks for a password again.
        await analyst.GetByTestId("sign-out").ClickAsync();
        // The sign-out chain (the web cookie, then the node's own session, then "/") ends on the sign-in page; wait for
        // it before navigating, or the next navigation races the redirects.
        await Assertions.Expect(analyst.Locator("#password")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await analyst.GotoAsync("/analysis");
        await Assertions.Expect(analyst.Locator("#password")).ToBeVisibleAsync();
    }
}
