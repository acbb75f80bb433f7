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

    /// <summary>The main pages of the application; a role sees a page in its menu exactly when it may open it.</summary>
    private static readonly string[] MainPages = ["/seizures/new", "/seizures", "/operations", "/analysis", "/reports/annual", "/sharing"];

    /// <summary>
    /// Each role, signed in through the real sign-in page: every page its menu offers opens, every other main page
    /// says it is not allowed; a screenshot of each page it reaches is kept (artefacts).
    /// </summary>
    [Theory]
    [InlineData("officer")]
    [InlineData("custodian")]
    [InlineData("lab")]
    [InlineData("operations")]
    [InlineData("analyst")]
    [InlineData("working-group")]
    [InlineData("supervisor")]
    [InlineData("admin")]
    [InlineData("auditor")]
    public async Task each_role_opens_what_its_menu_offers_and_nothing_else(string role)
    {
        var page = await node.PageAsync("en-GB", role);
        await WebNode.ShotAsync(page, $"role-{role}-home");
        var offered = (await page.Locator(".mud-navmenu a.mud-nav-link").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            .Where(href => href is not null && href != "/").Select(href => href!.Split('?')[0]).ToHashSet();
        foreach (var path in MainPages)
        {
            await page.GotoAsync(path);
            if (offered.Contains(path))
            {
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
                (await page.GetByTestId("forbidden").CountAsync()).ShouldBe(0, $"{role} is offered {path} but may not open it");
                await WebNode.ShotAsync(page, $"role-{role}{path.Replace('/', '-')}");
            }
            else
                await Assertions.Expect(page.GetByTestId("forbidden")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        }
    }

    /// <summary>
    /// The API docs sign in too: Scalar's "Authorize" opens the node's own sign-in page in a pop-up (authorization
    /// code + PKCE with the docs' public client), and "Send" then carries the token: refused before, served after.
    /// </summary>
    [Fact]
    public async Task the_api_docs_sign_in_through_the_node_and_send_requests_with_the_token()
    {
        var page = await node.NewPageAsync("en-GB");
        await page.GotoAsync("/scalar/v1#tag/reference-data/GET/api/facilities");
        var testRequest = page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex(@"Test Request\s*\(get \/api\/facilities\)") }).First;

        // Not signed in: the request goes without a token and the node refuses it.
        var anonymous = await SendAsync(page, testRequest);
        anonymous.Status.ShouldBe(401);
        // (Scalar sends a bare "Bearer" when it holds no token.)
        ((await anonymous.Request.HeaderValueAsync("authorization")) ?? "Bearer").Trim().ShouldBe("Bearer");
        await page.Keyboard.PressAsync("Escape");

        // Sign in from the docs: the pop-up is the node's sign-in page; it closes itself once the code is exchanged.
        var analyst = node.Credentials.GetProperty("users").GetProperty("analyst");
        var popup = await page.RunAndWaitForPopupAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Authorize", Exact = true }).First.ClickAsync());
        await Assertions.Expect(popup.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in to SeizureIntel");
        popup.Url.ShouldContain("client_id%3Dseizureintel-docs");
        popup.Url.ShouldContain("code_challenge_method%3DS256");
        await popup.Locator("#username").FillAsync(analyst.GetProperty("username").GetString()!);
        await popup.Locator("#password").FillAsync(analyst.GetProperty("password").GetString()!);
        var closed = new TaskCompletionSource();
        popup.Close += (_, _) => closed.TrySetResult();
        await popup.Locator("button[type=submit]").ClickAsync();
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var signedIn = await SendAsync(page, testRequest);
        signedIn.Status.ShouldBe(200);
        (await signedIn.Request.HeaderValueAsync("authorization")).ShouldNotBeNull().ShouldStartWith("Bearer ");
        await Assertions.Expect(page.GetByText("200 OK").First).ToBeVisibleAsync();
        await WebNode.ShotAsync(page, "api-docs-signed-in-en");
    }

    private static async Task<IResponse> SendAsync(IPage page, ILocator testRequest)
    {
        await testRequest.ClickAsync();
        return await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Send") }).First.ClickAsync(),
            response => response.Url.EndsWith("/api/facilities", StringComparison.Ordinal));
    }
}
