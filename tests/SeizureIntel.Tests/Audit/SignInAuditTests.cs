using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SeizureIntel.Audit;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Audit;

/// <summary>
/// Refused sign-ins are in the audit, against the node's real token endpoint and sign-in page: a wrong client secret,
/// an unknown client, a wrong password and a locked account, each with who tried, from where, why — and never the
/// secret or password that was tried.
/// </summary>
public sealed class SignInAuditTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<List<JsonElement>> RefusedSinceAsync(DateTimeOffset since)
    {
        var (status, body) = await Host.GetAsRoleAsync(Roles.Auditor, $"/api/audit?outcome=refused&limit=10000&from={Uri.EscapeDataString(since.ToString("O"))}");
        status.ShouldBe(200, body);
        return JsonSerializer.Deserialize<JsonElement>(body).GetProperty("entries").EnumerateArray().ToList();
    }

    private static string? Text(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetString();

    [Fact]
    public async Task a_wrong_client_secret_and_an_unknown_client_at_the_token_endpoint_are_recorded_with_the_reason()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var client = "script-audit-" + Guid.NewGuid().ToString("N")[..8];
        var unknown = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        const string wrongSecret = "wrong-secret-audit-5521";
        await TestTokens.ClientTokenAsync(Host, client, [Roles.Officer], ["SIZO-1"]);
        using var http = Host.Server.CreateClient();
        await Should.ThrowAsync<InvalidOperationException>(() => TestTokens.TokenAsync(http, client, wrongSecret));
        await Should.ThrowAsync<InvalidOperationException>(() => TestTokens.TokenAsync(http, unknown, wrongSecret));
        // A granted token is no refusal.
        await TestTokens.TokenAsync(http, client, TestTokens.Secret);

        var refused = await RefusedSinceAsync(before);
        var token = refused.Where(e => Text(e, "path") == "/connect/token").ToList();
        var bySecret = token.Where(e => Text(e, "user") == client).ShouldHaveSingleItem();
        bySecret.GetProperty("status").GetInt32().ShouldBe(401);
        bySecret.GetProperty("method").GetString().ShouldBe("POST");
        Text(bySecret, "reason")!.ShouldStartWith("invalid_client");
        // "From where" is the connection's address: the in-process test server has none, so the column is there but empty.
        bySecret.TryGetProperty("ip", out _).ShouldBeTrue();
        var byName = token.Where(e => Text(e, "user") == unknown).ShouldHaveSingleItem();
        Text(byName, "reason")!.ShouldStartWith("invalid_client");
        byName.GetProperty("outcome").GetString().ShouldBe(AuditOutcomes.Refused);

        var (_, csv) = await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?format=csv&limit=10000");
        csv.ShouldNotContain(wrongSecret);
        csv.ShouldNotContain(TestTokens.Secret);
    }

    [Fact]
    public async Task wrong_passwords_and_the_lockout_on_the_sign_in_page_are_recorded_per_attempt()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        // A name of its own per run: the identity store outlives the per-test data reset, and a lockout lasts 15 minutes.
        var name = "officer-audit-" + Guid.NewGuid().ToString("N")[..8];
        const string password = "correct-horse-battery-staple";
        await using (var scope = Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureUserAsync(name, password, [Roles.Officer], ["SIZO-1"]);

        using var browser = new Browser(Host);
        var form = await (await browser.GetAsync("/account/login")).Content.ReadAsStringAsync();
        for (var i = 0; i < 5; i++)
            await browser.SubmitAsync(form, "/account/login", new() { ["username"] = name, ["password"] = "wrong-password-audit-" + i });
        // The right password after the lockout is refused too, as locked out.
        await browser.SubmitAsync(form, "/account/login", new() { ["username"] = name, ["password"] = password });

        var attempts = (await RefusedSinceAsync(before)).Where(e => Text(e, "user") == name).ToList();
        attempts.Count.ShouldBe(6);
        attempts.ShouldAllBe(e => Text(e, "path") == "/account/login" && Text(e, "method") == "POST");
        // Identity locks on the fifth failure: four wrong passwords, then locked out (the fifth and the right one).
        attempts.Select(e => Text(e, "reason")).ShouldBe(
            [.. Enumerable.Repeat("wrong user name or password", 4), "locked out", "locked out"]);

        var (_, csv) = await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?format=csv&limit=10000");
        csv.ShouldNotContain("wrong-password-audit-");
        csv.ShouldNotContain(password);
    }
}
