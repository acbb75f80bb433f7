using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Identity;

/// <summary>
/// A node restarting on the addresses it had finds its web and API docs clients stored as they are and registers
/// nothing (no EF Core model built at start-up); any difference in what is stored sends it through OpenIddict again.
/// </summary>
public sealed class WebClientRegistrationTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static readonly Uri[] PortA = [new("http://127.0.0.1:47001/signin-oidc"), new("http://localhost:47001/signin-oidc")];
    private static readonly Uri[] SignOutA = [new("http://127.0.0.1:47001/signout-callback-oidc"), new("http://localhost:47001/signout-callback-oidc")];
    private static readonly Uri[] DocsA = [new("http://127.0.0.1:47001/scalar/v1"), new("http://localhost:47001/scalar/v1")];

    [Fact]
    public async Task a_client_stored_as_described_is_recognised_and_any_difference_is_not()
    {
        var db = Host.Services.GetRequiredService<NpgsqlDataSource>();
        var schema = Host.Services.GetRequiredService<IdentitySchema>();
        await using (var scope = Host.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<Accounts>();
            await accounts.EnsureWebClientAsync(PortA, SignOutA);
            await accounts.EnsureDocsClientAsync(DocsA);
        }

        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA, SignOutA))).ShouldBeTrue();
        (await Accounts.IsStoredAsync(db, schema, Accounts.DocsClient(DocsA))).ShouldBeTrue();
        // The same addresses in another order are the same set.
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA.Reverse(), SignOutA.Reverse()))).ShouldBeTrue();

        // Another port, one address fewer or more, the sign-out addresses missing: registered again.
        var portB = PortA.Select(u => new UriBuilder(u) { Port = 47002 }.Uri).ToArray();
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(portB, SignOutA))).ShouldBeFalse();
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA.Take(1), SignOutA))).ShouldBeFalse();
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient([.. PortA, new Uri("http://[::1]:47001/signin-oidc")], SignOutA))).ShouldBeFalse();
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA, []))).ShouldBeFalse();
        // The docs client is not the web client.
        (await Accounts.IsStoredAsync(db, schema, Accounts.DocsClient(PortA))).ShouldBeFalse();

        // Something changed in the stored row (a permission taken away, a secret added): registered again.
        await using (var change = db.CreateCommand(
            $"update \"{schema.Name}\".\"OpenIddictApplications\" set \"Permissions\" = '[\"ept:token\"]' where \"ClientId\" = '{Accounts.WebClientId}'"))
            await change.ExecuteNonQueryAsync();
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA, SignOutA))).ShouldBeFalse();
        await using (var change = db.CreateCommand(
            $"update \"{schema.Name}\".\"OpenIddictApplications\" set \"ClientSecret\" = 'x' where \"ClientId\" = '{Accounts.DocsClientId}'"))
            await change.ExecuteNonQueryAsync();
        (await Accounts.IsStoredAsync(db, schema, Accounts.DocsClient(DocsA))).ShouldBeFalse();

        // Saving through OpenIddict puts it right, and then it is recognised again.
        await using (var scope = Host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Accounts>().EnsureWebClientAsync(PortA, SignOutA);
        (await Accounts.IsStoredAsync(db, schema, Accounts.WebClient(PortA, SignOutA))).ShouldBeTrue();
    }
}
