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

    /// <summary>
    /// The docs read as a product's: every operation sits in a feature group that says what it is for (a route added
    /// under a new prefix fails here until ApiDocs lists it), never under a C# class name.
    /// </summary>
    [Fact]
    public async Task every_operation_is_in_a_described_feature_group()
    {
        var doc = await GetJsonAsync("/openapi/v1.json");
        var described = doc.GetProperty("tags").EnumerateArray()
            .Where(t => t.TryGetProperty("description", out var d) && d.GetString() is { Length: > 20 })
            .Select(t => t.GetProperty("name").GetString()!).ToHashSet();
        var misplaced = (from path in doc.GetProperty("paths").EnumerateObject()
                         from operation in path.Value.EnumerateObject()
                         let tags = operation.Value.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : []
                         where tags.Count != 1 || !described.Contains(tags[0]) || tags[0].Contains("SeizureIntel.")
                         select $"{operation.Name.ToUpperInvariant()} {path.Name}: [{string.Join(", ", tags)}]").ToList();
        misplaced.ShouldBeEmpty();
    }

    /// <summary>
    /// The document says how to get a token: a person signs in (authorization code + PKCE at the node's own
    /// endpoints, which the docs UI opens), a script uses client credentials; either scheme satisfies every operation.
    /// </summary>
    [Fact]
    public async Task the_document_says_how_to_sign_in()
    {
        var doc = await GetJsonAsync("/openapi/v1.json");
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        var code = schemes.GetProperty("node-sign-in").GetProperty("flows").GetProperty("authorizationCode");
        code.GetProperty("authorizationUrl").GetString().ShouldBe("/connect/authorize");
        code.GetProperty("tokenUrl").GetString().ShouldBe("/connect/token");
        code.GetProperty("scopes").EnumerateObject().Select(s => s.Name).ShouldBe(["openid", "profile", "roles"], ignoreOrder: true);
        schemes.GetProperty("node-client").GetProperty("flows").GetProperty("clientCredentials").GetProperty("tokenUrl").GetString()
            .ShouldBe("/connect/token");
        doc.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name))
            .ShouldBe(["node-sign-in", "node-client"], ignoreOrder: true);
        // The token endpoint the document names answers as OAuth says: a client without credentials gets an OAuth error, no token.
        var refused = await Host.Scenario(s =>
        {
            s.Post.FormData(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = "nobody" }).ToUrl("/connect/token");
            s.IgnoreStatusCode();
        });
        refused.Context.Response.StatusCode.ShouldBeOneOf(400, 401);
        (await refused.ReadAsJsonAsync<JsonElement>()).GetProperty("error").GetString().ShouldStartWith("invalid_");
    }

    /// <summary>
    /// The docs' example of recording a seizure is one the node accepts as it stands (what "Send" in the docs does),
    /// and a field's allowed codes link to their vocabulary.
    /// </summary>
    [Fact]
    public async Task the_documented_example_records_a_seizure_and_codes_link_to_their_vocabulary()
    {
        var doc = await GetJsonAsync("/openapi/v1.json");
        var schema = doc.GetProperty("components").GetProperty("schemas").GetProperty("RecordSeizure");
        var example = schema.GetProperty("examples")[0];
        var created = await RecordAsync(example);
        created.Reference.ShouldStartWith("SSEP-2015-");
        var seizure = await GetJsonAsync($"/api/seizures/{created.Id}");
        seizure.GetProperty("substance").GetString().ShouldBe(example.GetProperty("substance").GetString());
        schema.GetProperty("properties").GetProperty("substance").GetProperty("description").GetString()!
            .ShouldContain("[/api/reference/substances](/api/reference/substances)");
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
