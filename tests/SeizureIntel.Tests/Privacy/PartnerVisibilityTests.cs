using System.Text.Json;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Privacy;

/// <summary>
/// A partner's record on the receiving node (SSEP), as far as its handling code and distribution allow, per role with
/// real tokens: H2 to every role that reads seizures; H3 only to the supervisor and the analyst; one whose distribution
/// does not name SSEP to nobody — 404 as if it did not exist, by id, as-of, history, reference and in searches.
/// </summary>
public sealed class PartnerVisibilityTests(NodeFixture fixture) : NodeTest(fixture)
{
    private static readonly string[] SeizureReaders = [Roles.Officer, Roles.Custodian, Roles.Lab, Roles.Operations, Roles.Analyst, Roles.Supervisor];

    /// <summary>Puts a record of SSDC into this node's store exactly as receiving it does (PartnerSeizureReceived).</summary>
    private async Task<(Guid Id, string Reference)> ReceiveAsync(string handlingCode, Distribution distribution, int number)
    {
        var id = Guid.CreateVersion7();
        var reference = $"SSDC-2015-{number:000000}";
        var shared = new SharedSeizure("SIZO-1", null, null, DateTimeOffset.Parse("2015-03-14T10:30:00+06:00"), new DateOnly(2015, 3, 14),
            "Asia/Bishkek", "cannabis-resin", new SharedQuantity(1.25m, "kg"), "visitor-search", new SharedCircumstances(null, null, null, null),
            null, null, "counted", null, false);
        await using var session = Store.LightweightSession();
        session.Events.StartStream<Seizure>(id, new PartnerSeizureReceived(id, "SSDC", reference, 1, handlingCode, distribution, "MOU-1",
            shared, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return (id, reference);
    }

    private async Task<int[]> StatusesAsync(string role, Guid id, string reference) =>
    [
        (await Host.GetAsRoleAsync(role, $"/api/seizures/{id}")).Status,
        (await Host.GetAsRoleAsync(role, $"/api/seizures/{id}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}")).Status,
        (await Host.GetAsRoleAsync(role, $"/api/seizures/{id}/history")).Status,
        (await Host.GetAsRoleAsync(role, $"/api/seizures/by-reference/{reference}")).Status,
    ];

    private async Task<bool> ListedAsync(string role, string reference)
    {
        var (status, body) = await Host.GetAsRoleAsync(role, "/api/seizures?q=SSDC-2015");
        status.ShouldBe(200);
        return JsonSerializer.Deserialize<JsonElement>(body).GetProperty("seizures").EnumerateArray()
            .Any(s => s.GetProperty("reference").GetString() == reference);
    }

    [Fact]
    public async Task a_partners_h2_record_for_all_partners_is_seen_by_every_role_that_reads_seizures()
    {
        var (id, reference) = await ReceiveAsync("H2", Distribution.Everyone, 1);
        foreach (var role in SeizureReaders)
        {
            (await StatusesAsync(role, id, reference)).ShouldAllBe(s => s == 200, role);
            (await ListedAsync(role, reference)).ShouldBeTrue(role);
        }
    }

    [Fact]
    public async Task a_partners_h3_record_is_seen_only_by_supervisor_and_analyst()
    {
        var (id, reference) = await ReceiveAsync("H3", Distribution.Everyone, 2);
        foreach (var role in SeizureReaders)
        {
            var sees = PartnerVisibility.RestrictedReaders.Contains(role);
            (await StatusesAsync(role, id, reference)).ShouldAllBe(s => s == (sees ? 200 : 404), role);
            (await ListedAsync(role, reference)).ShouldBe(sees, role);
        }
    }

    [Fact]
    public async Task a_partners_record_whose_distribution_does_not_name_this_agency_is_seen_by_nobody()
    {
        var (id, reference) = await ReceiveAsync("H0", new Distribution(Distribution.NamedPartners, ["MVD"]), 3);
        foreach (var role in SeizureReaders)
        {
            (await StatusesAsync(role, id, reference)).ShouldAllBe(s => s == 404, role);
            (await ListedAsync(role, reference)).ShouldBeFalse(role);
        }
        // Named, it is seen.
        var (named, namedReference) = await ReceiveAsync("H0", new Distribution(Distribution.NamedPartners, ["SSEP"]), 4);
        (await StatusesAsync(Roles.Officer, named, namedReference)).ShouldAllBe(s => s == 200);
    }
}
