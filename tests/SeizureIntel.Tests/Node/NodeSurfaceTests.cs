using System.Text.Json;
using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Node;

public sealed class NodeSurfaceTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task health_is_ready_when_the_database_answers()
    {
        var result = await Host.Scenario(s => { s.Get.Url("/health"); s.StatusCodeShouldBeOk(); });
        (await result.ReadAsTextAsync()).ShouldBe("Healthy");
    }

    /// <summary>Host filtering (AllowedHosts): a request for a host name the node does not serve is refused (DNS rebinding).</summary>
    [Theory]
    [InlineData("attacker.example")]
    [InlineData("attacker.example:5101")]
    public async Task a_request_for_an_unknown_host_name_is_refused(string host)
    {
        await Host.Scenario(s =>
        {
            s.Get.Url("/api/reference/substances");
            s.WithRequestHeader("Host", host);
            s.StatusCodeShouldBe(400);
        });
        // A known host name is served (the test's token was issued under "localhost": a token is accepted only under the issuer that signed it).
        await Host.Scenario(s => { s.Get.Url("/api/reference/substances"); s.WithRequestHeader("Host", "localhost"); s.StatusCodeShouldBeOk(); });
    }

    [Fact]
    public async Task the_openapi_document_describes_every_route()
    {
        var doc = await GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/seizures");
        paths.ShouldContain("/api/seizures/{id}");
        paths.ShouldContain("/api/facilities");
        paths.ShouldContain("/api/facilities/{facilityId}/summary");
        paths.ShouldContain("/api/facilities/{facilityId}/years/{year}/summary");
        paths.ShouldContain("/api/years/{year}/summary");
        paths.ShouldContain("/api/reference/{vocabulary}");
        doc.GetProperty("paths").GetProperty("/api/seizures").GetProperty("post").GetProperty("responses")
            .EnumerateObject().Select(r => r.Name).ShouldContain("201");
    }

    [Fact]
    public async Task the_browsable_api_reference_is_served()
    {
        await Host.Scenario(s => { s.Get.Url("/scalar/v1"); s.StatusCodeShouldBeOk(); });
    }

    [Theory]
    [InlineData("substances", "heroin", "opioids")]
    [InlineData("substances", "cannabis-resin", "cannabis")]
    [InlineData("substances", "methamphetamine", "ats")]
    public async Task substances_are_served_with_their_group_and_names(string vocabulary, string code, string group)
    {
        var terms = await GetJsonAsync($"/api/reference/{vocabulary}");
        var term = terms.EnumerateArray().Single(t => t.GetProperty("code").GetString() == code);
        term.GetProperty("group").GetString().ShouldBe(group);
        term.GetProperty("en").GetString().ShouldNotBeNullOrWhiteSpace();
        term.GetProperty("ru").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task an_unknown_vocabulary_is_404()
    {
        await Host.Scenario(s => { s.Get.Url("/api/reference/colours"); s.StatusCodeShouldBe(404); });
    }
}
