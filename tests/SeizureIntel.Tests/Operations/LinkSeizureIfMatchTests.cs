using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

/// <summary>Found by the fuzz test (seed 6980194): linking with a malformed If-Match answered 500.</summary>
public sealed class LinkSeizureIfMatchTests(NodeFixture fixture) : OperationTest(fixture)
{
    [Theory]
    [InlineData("abc", 400)]
    [InlineData("\"2\"", 404)]
    public async Task linking_to_an_unknown_operation_with_any_if_match_is_a_client_error_not_a_500(string ifMatch, int expected)
    {
        var events = await EventCountAsync();
        var result = await Host.Scenario(x =>
        {
            x.Post.Text($"{{\"seizureId\":\"{Guid.NewGuid()}\"}}").ToUrl($"/api/operations/{Guid.Empty}/seizures");
            x.WithRequestHeader("Content-Type", "application/json");
            x.WithRequestHeader("If-Match", ifMatch);
            x.WithRequestHeader("X-User", "fuzz-1");
            x.IgnoreStatusCode();
        });
        result.Context.Response.StatusCode.ShouldBe(expected, await result.ReadAsTextAsync());
        (await EventCountAsync()).ShouldBe(events);
    }
}
