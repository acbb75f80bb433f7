using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Audit;

/// <summary>Found by the fuzz test (seed 6980194): from=0001-01-01 (midnight in Bishkek is before year 1 in UTC) answered 500.</summary>
public sealed class AuditBoundsTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Theory]
    [InlineData("from=0001-01-01", "from")]
    public async Task a_date_bound_outside_the_calendar_in_utc_is_refused_by_name(string query, string field)
    {
        var (status, body) = await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?" + query);
        status.ShouldBe(400, body);
        body.ShouldContain($"\"{field}\"");
    }
}
