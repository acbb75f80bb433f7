using System.Text.RegularExpressions;
using SeizureIntel.Identity;
using SeizureIntel.Web.Shell;

namespace SeizureIntel.Tests.Web;

/// <summary>The web application says everything in both languages, and every page's policy names real roles.</summary>
public sealed partial class TextTests
{
    private static string WebFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "src", "SeizureIntel", "Web");
    }

    [Fact]
    public void every_text_a_page_uses_exists_in_english_and_russian()
    {
        var used = Directory.GetFiles(WebFolder(), "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => KeyUse().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        used.Count.ShouldBeGreaterThan(100);
        used.Where(k => !Text.Strings.ContainsKey(k)).ShouldBeEmpty();
        Text.Strings.Where(s => string.IsNullOrWhiteSpace(s.Value.En) || string.IsNullOrWhiteSpace(s.Value.Ru)).Select(s => s.Key).ShouldBeEmpty();
        // Russian texts are Russian: each has a Cyrillic letter unless it is a code or a number.
        Text.Strings.Where(s => s.Value.Ru.Any(char.IsLetter) && !s.Value.Ru.Any(c => c is >= 'а' and <= 'я' or >= 'А' and <= 'Я'))
            .Select(s => s.Key).ShouldBeEmpty();
    }

    [Fact]
    public void each_page_policy_admits_known_roles_and_no_page_is_for_nobody()
    {
        WebPolicies.RolesOf.Keys.Order().ShouldBe(new[] { WebPolicies.Analyse, WebPolicies.ReadSeizures, WebPolicies.RecordSeizures,
            WebPolicies.Report, WebPolicies.RunOperations, WebPolicies.SuperviseSharing }.Order());
        foreach (var (policy, roles) in WebPolicies.RolesOf)
        {
            roles.ShouldNotBeEmpty(policy);
            roles.ShouldAllBe(r => Roles.All.Contains(r));
        }
        // An officer records, but does not see the analyst's dashboard or the working group's report.
        WebPolicies.RolesOf[WebPolicies.RecordSeizures].ShouldContain(Roles.Officer);
        WebPolicies.RolesOf[WebPolicies.Analyse].ShouldNotContain(Roles.Officer);
        WebPolicies.RolesOf[WebPolicies.Report].ShouldNotContain(Roles.Officer);
    }

    [GeneratedRegex("""T(?:\.Format\(|\[)"([a-z0-9.]+)"[\],]""")]
    private static partial Regex KeyUse();
}
