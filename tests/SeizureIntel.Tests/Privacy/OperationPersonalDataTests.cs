using SeizureIntel.Identity;
using SeizureIntel.Tests.Operations;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Privacy;

/// <summary>A joint operation's users and notes: seen by those who run it, masked for the analyst.</summary>
public sealed class OperationPersonalDataTests(NodeFixture fixture) : OperationTest(fixture)
{
    private const string Planner = "planner-pd-3317";
    private const string ArrestNote = "arrest-note-pd-8841";

    [Fact]
    public async Task the_analyst_gets_the_operations_users_and_notes_masked_the_operations_role_sees_them()
    {
        var created = await PlanAsync(user: Planner);
        var launched = await DoAsync(created.Id, "launch", new { launchedAt = "2015-03-02T09:00:00+06:00" }, created.Version, Planner);
        await DoAsync(created.Id, "arrests", new { count = 2, charges = new[] { "228" }, notes = ArrestNote }, launched, Planner);

        var (status, masked) = await Host.GetAsRoleAsync(Roles.Analyst, $"/api/operations/{created.Id}");
        status.ShouldBe(200);
        masked.ShouldNotContain(Planner);
        masked.ShouldNotContain(ArrestNote);
        masked.ShouldContain(SeizureIntel.Privacy.PersonalData.Masked);

        foreach (var role in new[] { Roles.Operations, Roles.Supervisor })
        {
            var seen = (await Host.GetAsRoleAsync(role, $"/api/operations/{created.Id}")).Body;
            seen.ShouldContain(Planner, Case.Sensitive, role);
            seen.ShouldContain(ArrestNote, Case.Sensitive, role);
        }
    }
}
