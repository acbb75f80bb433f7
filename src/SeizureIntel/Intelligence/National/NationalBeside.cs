using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;

namespace SeizureIntel.Intelligence.National;

/// <summary>
/// One year of the node's own figure beside the national one: the node's grams of the group that year (only the months
/// inside the asked range: PartialYear says when that is fewer than twelve), the country's kilograms reported to UNODC,
/// the node's share of it in % (one decimal; null without a national figure), the national figure's caveats, and the
/// sentence an analyst would write.
/// </summary>
public sealed record NationalYear(int Year, decimal OwnGrams, decimal? NationalKg, decimal? SharePercent, bool PartialYear, IReadOnlyList<string> Comments,
    string Statement);

/// <summary>The national figures shown beside a series of the node's own, with their source cited.</summary>
public sealed record NationalBeside(NationalSource Source, string Country, string CountryName, string Group, string GroupName, IReadOnlyList<NationalYear> Years);

/// <summary>The opt-in national=KGZ of trends (and the annual report): parameters checked, figures set beside the node's.</summary>
public static class NationalComparison
{
    /// <summary>
    /// Checks national= and edition= beside a group filter: national figures exist per substance group only, so a
    /// substance filter or no group is refused by name.
    /// </summary>
    public static string? Parse(Problems problems, string? national, string? edition, string? group, string? substance)
    {
        if (string.IsNullOrWhiteSpace(national))
        {
            if (!string.IsNullOrWhiteSpace(edition)) problems.Fail("edition", "is taken only with national=");
            return null;
        }
        var country = NationalFigures.Country(problems, "national", national);
        if (country is null) return null;
        if (!string.IsNullOrWhiteSpace(substance))
            problems.Fail("national", "compares substance groups: use group= instead of substance= (UNODC's drugs are not this node's substances)");
        else if (string.IsNullOrWhiteSpace(group))
            problems.Fail("national", "needs group= (national figures are per substance group, e.g. group=cannabis)");
        return country;
    }

    /// <summary>The beside-figures for these years, or a 404 problem naming the edition when none (or not that one) is imported.</summary>
    public static async Task<(NationalBeside? Beside, ProblemDetails? Missing)> BuildAsync(IQuerySession session, ReferenceData reference, string country,
        string? edition, string group, IReadOnlyList<(int Year, decimal OwnGrams, bool Partial)> own, string? agency, string language, CancellationToken token)
    {
        var chosen = await NationalFigures.EditionAsync(session, edition, token);
        if (chosen is null) return (null, NationalFigures.Missing(edition));
        var series = await NationalFigures.CountryAsync(session, chosen, country, token);
        var byYear = NationalFigures.ByGroup((series?.Figures ?? []).Where(f => f.Group == group), reference, language).ToDictionary(p => p.Year);
        var countryName = series?.CountryName ?? country;
        var groupName = NationalFigures.GroupName(reference, group, language);
        var years = own.Select(o =>
        {
            var national = byYear.GetValueOrDefault(o.Year);
            decimal? share = national is { Kg: > 0 } ? Math.Round(o.OwnGrams / (national.Kg * 1000m) * 100m, 1, MidpointRounding.AwayFromZero) : null;
            return new NationalYear(o.Year, o.OwnGrams, national?.Kg, share, o.Partial, national?.Comments ?? [],
                Statement(Subject(agency, language), countryName, groupName, o.Year, share, o.Partial, chosen.Edition, language));
        }).ToList();
        return (new NationalBeside(NationalFigures.Cite(chosen), country, countryName, group, groupName, years), null);
    }

    /// <summary>Whose seizures: the agency filtered on, else every agency's records this node holds.</summary>
    public static string Subject(string? agency, string language) => language.StartsWith("ru", StringComparison.OrdinalIgnoreCase)
        ? agency is null ? "изъятия, учтённые этим узлом (все ведомства)," : $"изъятия {agency}"
        : agency is null ? "the seizures this node holds (all agencies)" : $"{agency}'s seizures";

    public static string Statement(string own, string country, string group, int year, decimal? share, bool partial, string edition, string language)
    {
        var ru = language.StartsWith("ru", StringComparison.OrdinalIgnoreCase);
        var percent = share?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        if (ru)
            return share is null
                ? $"{year}: в издании UNODC {edition} нет данных {country} по группе «{group}»."
                : $"{year}: {own} составили {percent!.Replace('.', ',')} % изъятий группы «{group}», о которых {country} сообщила в UNODC (издание {edition}){(partial ? "; учтена часть года" : "")}.";
        return share is null
            ? $"{year}: UNODC edition {edition} has no figure of {country} for {group}."
            : $"{year}: {own} were {percent} % of {country}'s reported seizures of {group} (UNODC, edition {edition}){(partial ? "; part of the year only" : "")}.";
    }
}
