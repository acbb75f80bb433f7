using System.Text.Json;
using SeizureIntel.Facilities;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Facilities;

/// <summary>The catalogue against the source list in shared/data/facilities-kg.md (its facts restated here).</summary>
public sealed class FacilityCatalogTests
{
    private readonly FacilityCatalog _catalog = FacilityCatalog.LoadEmbedded();

    [Fact]
    public void holds_every_facility_of_the_source_list()
    {
        string[] colonies = ["IK-1", "IK-2", "IK-3", "IK-8", "IK-10", "IK-16", "IK-19", "IK-27", "IK-31", "IK-47"];
        string[] pretrial = ["SIZO-1", "SIZO-3", "SIZO-4", "SIZO-5", "SIZO-50", "SIZO-VK-14", "SIZO-53"];
        var settlements = new[] { 26, 29, 32, 35, 37, 38, 39, 42, 43, 44, 45, 48, 51, 52 }.Select(n => $"KP-{n}");
        _catalog.All.Select(f => f.Code).Order()
            .ShouldBe(colonies.Concat(pretrial).Concat(settlements).Append("VK-14").Order());
        _catalog.All.Where(f => colonies.Contains(f.Code)).ShouldAllBe(f => f.Type == "correctional-colony");
        _catalog.All.Where(f => pretrial.Contains(f.Code)).ShouldAllBe(f => f.Type == "pre-trial-centre");
        _catalog.Resolve("VK-14")!.Type.ShouldBe("juvenile-colony");
        _catalog.All.ShouldAllBe(f => f.TimeZone == "Asia/Bishkek");
    }

    [Fact]
    public void settlements_closed_by_decree_are_closed_and_still_resolve()
    {
        _catalog.All.Where(f => f.State == "closed").Select(f => f.Code).Order().ShouldBe(["KP-35", "KP-37", "KP-48"]);
        _catalog.Resolve("KP-37")!.State.ShouldBe("closed");
    }

    [Theory]
    [InlineData("SIZO-1")]
    [InlineData("No. 21")]
    [InlineData("№21")]
    [InlineData("СИЗО-1")]
    [InlineData("СИЗО-21")]
    [InlineData("  sizo-1 ")]
    public void the_founding_documents_facility_No_21_is_SIZO_1(string name) => _catalog.Resolve(name)!.Code.ShouldBe("SIZO-1");

    [Fact]
    public void an_unknown_name_resolves_to_nothing() => _catalog.Resolve("IK-99").ShouldBeNull();

    [Fact]
    public void the_local_date_is_the_date_in_bishkek()
    {
        var sizo = _catalog.Resolve("SIZO-1")!;
        sizo.LocalDateOf(DateTimeOffset.Parse("2014-12-31T18:00:00Z")).ShouldBe(new DateOnly(2015, 1, 1));
        sizo.LocalDateOf(DateTimeOffset.Parse("2014-12-31T17:59:59Z")).ShouldBe(new DateOnly(2014, 12, 31));
    }
}

public sealed class FacilityEndpointTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task lists_the_facilities_with_code_name_aliases_type_state_and_time_zone()
    {
        var list = await GetJsonAsync("/api/facilities");
        var sizo = list.GetProperty("facilities").EnumerateArray().Single(f => f.GetProperty("code").GetString() == "SIZO-1");
        sizo.GetProperty("name").GetString().ShouldBe("СИЗО-1");
        sizo.GetProperty("type").GetString().ShouldBe("pre-trial-centre");
        sizo.GetProperty("state").GetString().ShouldBe("open");
        sizo.GetProperty("timeZone").GetString().ShouldBe("Asia/Bishkek");
        sizo.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ShouldContain("No. 21");
        list.GetProperty("facilities").GetArrayLength().ShouldBe(32);
    }

    [Fact]
    public async Task one_facility_by_alias_and_404_for_an_unknown_one()
    {
        (await GetJsonAsync("/api/facilities/No. 21")).GetProperty("code").GetString().ShouldBe("SIZO-1");
        await Host.Scenario(s => { s.Get.Url("/api/facilities/IK-404"); s.StatusCodeShouldBe(404); });
    }
}
