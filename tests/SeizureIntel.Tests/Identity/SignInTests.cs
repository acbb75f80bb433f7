using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>The node as its own OpenID Connect provider, against its real token endpoint, sign-in page and store.</summary>
public sealed class SignInTests(NodeFixture fixture) : NodeTest(fixture)
{
    private const string Password = "correct-horse-battery-staple";

    private async Task<NodeUser> UserAsync(string name, params string[] roles)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureUserAsync(name, Password, roles, [NodeClaims.AllFacilities]);
    }

    private HttpClient Raw()
    {
        var http = Host.Server.CreateClient();
        http.DefaultRequestHeaders.Add(TestTokens.AnonymousHeader, "1");
        return http;
    }

    [Fact]
    public async Task discovery_and_health_are_open_and_name_both_flows()
    {
        using var http = Raw();
        var discovery = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync("/.well-known/openid-configuration"));
        discovery.GetProperty("token_endpoint").GetString().ShouldEndWith("/connect/token");
        discovery.GetProperty("authorization_endpoint").GetString().ShouldEndWith("/connect/authorize");
        var grants = discovery.GetProperty("grant_types_supported").EnumerateArray().Select(g => g.GetString()).ToList();
        grants.ShouldContain("client_credentials");
        grants.ShouldContain("authorization_code");
        grants.ShouldNotContain("password");
        discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(g => g.GetString()).ShouldContain("S256");
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task without_a_token_the_api_answers_401_and_x_user_grants_nothing()
    {
        using var http = Raw();
        (await http.GetAsync("/api/facilities")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/seizures") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-User", "supervisor-1");
        (await http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        (await http.GetAsync("/api/facilities")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_client_with_a_wrong_secret_gets_no_token_and_a_right_one_acts_under_its_own_id()
    {
        await TestTokens.ClientTokenAsync(Host, "script-7", [Roles.Officer], ["SIZO-1"]);
        using var http = Raw();
        await Should.ThrowAsync<InvalidOperationException>(() => TestTokens.TokenAsync(http, "script-7", "wrong-secret"));
        var token = await TestTokens.TokenAsync(http, "script-7", TestTokens.Secret);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var created = await http.PostAsync("/api/seizures", Content(Body()));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = JsonSerializer.Deserialize<JsonElement>(await created.Content.ReadAsStringAsync()).GetProperty("id").GetGuid();
        var seizure = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync($"/api/seizures/{id}"));
        seizure.GetProperty("recordedBy").GetString().ShouldBe("script-7");
    }

    [Fact]
    public async Task an_officer_works_only_at_the_assigned_facilities_and_does_not_learn_of_others()
    {
        var officer = await TestTokens.ClientTokenAsync(Host, "officer-sizo1", [Roles.Officer], ["SIZO-1"]);
        var elsewhere = await RecordAsync(Body(facilityId: "IK-1"));
        using var http = Raw();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", officer);

        (await http.PostAsync("/api/seizures", Content(Body(facilityId: "IK-1")))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await http.PostAsync("/api/seizures", Content(Body(facilityId: "SIZO-1")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await http.GetAsync($"/api/seizures/{elsewhere.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync($"/api/seizures/{elsewhere.Id}/history")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var correction = new HttpRequestMessage(HttpMethod.Post, $"/api/seizures/{elsewhere.Id}/corrections")
        {
            Content = Content(new { reason = "mine now", detection = "cell-search" }),
        };
        correction.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await http.SendAsync(correction)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_user_with_a_second_factor_must_give_the_authenticator_code()
    {
        var user = await UserAsync("analyst-totp", Roles.Analyst);
        string key;
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<NodeUser>>();
            var stored = await users.FindByNameAsync(user.UserName!);
            await users.ResetAuthenticatorKeyAsync(stored!);
            key = (await users.GetAuthenticatorKeyAsync(stored!))!;
            await users.SetTwoFactorEnabledAsync(stored!, true);
        }

        using var browser = new Browser(Host);
        var form = await (await browser.GetAsync("/account/login?returnUrl=/analysis")).Content.ReadAsStringAsync();
        var afterPassword = await browser.SubmitAsync(form, "/account/login", new() { ["username"] = "analyst-totp", ["password"] = Password });
        afterPassword.StatusCode.ShouldBe(HttpStatusCode.OK, "a password alone does not sign this user in");
        var codePage = await afterPassword.Content.ReadAsStringAsync();
        codePage.ShouldContain("name=\"code\"");

        var wrong = await browser.SubmitAsync(codePage, "/account/login/code", new() { ["code"] = "000000" == Totp.Code(key, DateTimeOffset.UtcNow) ? "111111" : "000000" });
        (await wrong.Content.ReadAsStringAsync()).ShouldContain("Wrong code");

        var right = await browser.SubmitAsync(codePage, "/account/login/code", new() { ["code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        right.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        right.Headers.Location!.ToString().ShouldBe("/analysis");
    }

    [Fact]
    public async Task five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        // A name of its own per run: the identity store outlives the per-test data reset, and a lockout lasts 15 minutes.
        var name = "officer-lockout-" + Guid.NewGuid().ToString("N")[..8];
        await UserAsync(name, Roles.Officer);
        using var browser = new Browser(Host);
        var form = await (await browser.GetAsync("/account/login")).Content.ReadAsStringAsync();
        for (var i = 0; i < 5; i++)
        {
            var page = await (await browser.SubmitAsync(form, "/account/login", new() { ["username"] = name, ["password"] = "wrong-password-" + i })).Content.ReadAsStringAsync();
            page.ShouldContain(i < 4 ? "Wrong user name or password" : "locked");
        }
        var right = await browser.SubmitAsync(form, "/account/login", new() { ["username"] = name, ["password"] = Password });
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await right.Content.ReadAsStringAsync()).ShouldContain("locked");
    }

    [Fact]
    public async Task the_web_client_gets_a_user_token_by_authorization_code_with_pkce()
    {
        await UserAsync("officer-web", Roles.Officer);
        await using (var scope = Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureWebClientAsync([new Uri("http://localhost/signin-oidc")], [new Uri("http://localhost/")]);
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = Accounts.WebClientId, ["redirect_uri"] = "http://localhost/signin-oidc", ["response_type"] = "code",
            ["scope"] = "openid profile roles", ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["state"] = "s1",
        });

        using var browser = new Browser(Host);
        var toLogin = await browser.GetAsync(authorize);
        toLogin.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var loginUrl = toLogin.Headers.Location!.PathAndQuery;
        loginUrl.ShouldStartWith("/account/login");
        var form = await (await browser.GetAsync(loginUrl)).Content.ReadAsStringAsync();
        var signedIn = await browser.SubmitAsync(form, "/account/login", new() { ["username"] = "officer-web", ["password"] = Password });
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var back = await browser.GetAsync(signedIn.Headers.Location!.ToString());
        back.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var callback = back.Headers.Location!;
        callback.GetLeftPart(UriPartial.Path).ShouldBe("http://localhost/signin-oidc");
        var code = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();

        using var http = Raw();
        var withoutVerifier = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = Accounts.WebClientId, ["code"] = code,
            ["redirect_uri"] = "http://localhost/signin-oidc", ["code_verifier"] = Base64Url(RandomNumberGenerator.GetBytes(32)),
        }));
        withoutVerifier.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a wrong PKCE verifier gets no token");

        // The code was spent by the failed attempt (OpenIddict revokes it): sign in again for a fresh one.
        back = await browser.GetAsync(authorize);
        code = QueryHelpers.ParseQuery(back.Headers.Location!.Query)["code"].ToString();
        var exchanged = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = Accounts.WebClientId, ["code"] = code,
            ["redirect_uri"] = "http://localhost/signin-oidc", ["code_verifier"] = verifier,
        }));
        var tokenBody = await exchanged.Content.ReadAsStringAsync();
        exchanged.StatusCode.ShouldBe(HttpStatusCode.OK, tokenBody);
        var token = JsonSerializer.Deserialize<JsonElement>(tokenBody).GetProperty("access_token").GetString();

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var created = await http.PostAsync("/api/seizures", Content(Body()));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = JsonSerializer.Deserialize<JsonElement>(await created.Content.ReadAsStringAsync()).GetProperty("id").GetGuid();
        var history = JsonSerializer.Deserialize<JsonElement>(await http.GetStringAsync($"/api/seizures/{id}/history"));
        history.GetProperty("events")[0].GetProperty("user").GetString().ShouldBe("officer-web");
        (await http.GetAsync("/api/trends?from=2015-01&to=2015-12")).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "an officer is no analyst");
    }

    private static StringContent Content(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
