using SeizureIntel.Reference;

namespace SeizureIntel.Tests.Reference;

/// <summary>Officers type what they know: a code, the English or Russian name, or a common abbreviation.</summary>
public sealed class NamedInputTests
{
    private static readonly ReferenceData Reference = ReferenceData.LoadEmbedded();

    [Theory]
    [InlineData(ReferenceData.Substances, "Героин", "heroin")]
    [InlineData(ReferenceData.Substances, "героин", "heroin")]
    [InlineData(ReferenceData.Substances, "HEROIN", "heroin")]
    [InlineData(ReferenceData.Substances, "гашиш", "cannabis-resin")]
    [InlineData(ReferenceData.Substances, "Hashish", "cannabis-resin")]
    [InlineData(ReferenceData.Substances, "МДМА", "ecstasy")]
    [InlineData(ReferenceData.Units, "гр", "g")]
    [InlineData(ReferenceData.Units, "кг", "kg")]
    [InlineData(ReferenceData.Units, "табл", "tablet")]
    [InlineData(ReferenceData.Units, "граммы", "g")]
    [InlineData(ReferenceData.DetectionMethods, "Кинологическая служба", "canine")]
    public void a_russian_or_english_name_or_abbreviation_finds_its_code(string vocabulary, string typed, string code) =>
        Reference.Find(vocabulary, typed)!.Code.ShouldBe(code);

    [Fact]
    public void contracts_between_nodes_take_codes_only()
    {
        Reference.FindCode(ReferenceData.Substances, "heroin")!.Code.ShouldBe("heroin");
        Reference.FindCode(ReferenceData.Substances, "Героин").ShouldBeNull();
        Reference.FindCode(ReferenceData.Units, "гр").ShouldBeNull();
    }

    [Theory]
    [InlineData("heroine", "heroin")]
    [InlineData("гер", "heroin")]
    [InlineData("metamphetamine", "methamphetamine")]
    [InlineData("марих", "cannabis-herb")]
    public void a_near_miss_suggests_the_term_first(string typed, string expected)
    {
        Reference.Find(ReferenceData.Substances, typed).ShouldBeNull();
        Reference.Suggest(ReferenceData.Substances, typed).First().Code.ShouldBe(expected);
    }

    [Fact]
    public void nonsense_suggests_nothing() => Reference.Suggest(ReferenceData.Substances, "zzzzqqq").ShouldBeEmpty();

    [Fact]
    public void a_name_given_to_two_terms_stops_the_load()
    {
        var terms = new Dictionary<string, IReadOnlyList<Term>>
        {
            [ReferenceData.SubstanceGroups] = [new Term("other", "Other", "Прочие")],
            [ReferenceData.Substances] =
            [
                new Term("a", "A", "Альфа") { Group = "other", Aliases = ["x"] },
                new Term("b", "B", "Бета") { Group = "other", Aliases = ["X"] },
            ],
        };
        Should.Throw<InvalidOperationException>(() => new ReferenceData(terms)).Message.ShouldContain("'x' names both");
    }
}
