using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.LabAnalysis;

/// <summary>Found by the fuzz test (seed 6980194): a JSON null body for an unknown seizure answered 500.</summary>
public sealed class LabAnalysisBodyTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task a_null_body_for_an_unknown_seizure_is_a_client_error_not_a_500()
    {
        var events = await EventCountAsync();
        var result = await Host.Scenario(x =>
        {
            x.Post.Text("null").ToUrl($"/api/seizures/{Guid.Empty}/lab-results");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithRequestHeader("If-Match", "\"2\"");
            x.WithRequestHeader("X-User", "fuzz-1");
            x.IgnoreStatusCode();
        });
        result.Context.Response.StatusCode.ShouldBeInRange(400, 499, await result.ReadAsTextAsync());
        (await EventCountAsync()).ShouldBe(events);
    }
}
