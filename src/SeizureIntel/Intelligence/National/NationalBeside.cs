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

/// <summary>
/// One substance group in one year beside the national figure (compare and the annual report): the node's grams (and kg)
/// of the group, the country's kilograms reported to UNODC, the share in % (one decimal; null without a national figure),
/// the national figure's caveats, and the sentence an analyst would write.
/// </summary>
public sealed record NationalGroupYear(int Year, string Group, string GroupName, decimal OwnGrams, decimal OwnKg, decimal? NationalKg, decimal? SharePercent,
    IReadOnlyList<string> Comments, string Statement);

/// <summary>
/// The node's groups beside the country's figures of the same years, with the source cited. Source is null (and Rows
/// empty) when no UNODC edition is imported; Note then says so in the reader's language, never a figure.
/// </summary>
public sealed record NationalByGroup(NationalSource? Source, string Country, string CountryName, IReadOnlyList<NationalGroupYear> Rows, string? Note = null);

/// <summary>The opt-in national=KGZ of trends, compare and the annual report: parameters checked, figures set beside the node's.</summary>
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
            var share = Share(o.OwnGrams, national);
            return new NationalYear(o.Year, o.OwnGrams, national?.Kg, share, o.Partial, national?.Comments ?? [],
                Statement(Subject(agency, language), countryName, groupName, o.Year, share, o.Partial, chosen.Edition, language));
        }).ToList();
        return (new NationalBeside(NationalFigures.Cite(chosen), country, countryName, group, groupName, years), null);
    }

    /// <summary>The node's share of a national figure in %, one decimal (away from zero); null without a national figure above zero.</summary>
    public static decimal? Share(decimal ownGrams, NationalPoint? national) =>
        national is { Kg: > 0 } ? Math.Round(ownGrams / (national.Kg * 1000m) * 100m, 1, MidpointRounding.AwayFromZero) : null;

    /// <summary>
    /// Per year and per substance group: the node's own grams (<paramref name="own"/>, from the records' substance
    /// group, as the trends' group= filter counts them) beside the country's figures of the group (UNODC drug groups
    /// mapped by <see cref="UnodcGroups"/> at import), the groups either side has in those years. A named edition that
    /// is not imported is a 404 problem; with none imported at all, <paramref name="noneIsNote"/> gives a section that
    /// says so (the annual report) instead of the 404 (compare).
    /// </summary>
    public static async Task<(NationalByGroup? Figures, ProblemDetails? Missing)> ByGroupAsync(IQuerySession session, ReferenceData reference,
        string country, string? edition, IReadOnlyList<int> years, IReadOnlyDictionary<(int Year, string Group), decimal> own, string? agency,
        string language, bool noneIsNote, CancellationToken token)
    {
        var chosen = await NationalFigures.EditionAsync(session, edition, token);
        if (chosen is null)
            return noneIsNote && string.IsNullOrWhiteSpace(edition)
                ? (new NationalByGroup(null, country, country, [], NoneImported(language)), null)
                : (null, NationalFigures.Missing(edition));
        var series = await NationalFigures.CountryAsync(session, chosen, country, token);
        var national = NationalFigures.ByGroup((series?.Figures ?? []).Where(f => years.Contains(f.Year)), reference, language)
            .ToDictionary(p => (p.Year, p.Group));
        var countryName = series?.CountryName ?? country;
        var subject = Subject(agency, language);
        var rows = own.Where(o => years.Contains(o.Key.Year) && o.Value != 0).Select(o => o.Key).Union(national.Keys)
            .OrderBy(k => k.Year).ThenBy(k => k.Group, StringComparer.Ordinal)
            .Select(k =>
            {
                var grams = own.GetValueOrDefault(k);
                var figure = national.GetValueOrDefault(k);
                var share = Share(grams, figure);
                var groupName = NationalFigures.GroupName(reference, k.Group, language);
                return new NationalGroupYear(k.Year, k.Group, groupName, grams, grams / 1000m, figure?.Kg, share, figure?.Comments ?? [],
                    Statement(subject, countryName, groupName, k.Year, share, false, chosen.Edition, language));
            })
            .ToList();
        return (new NationalByGroup(NationalFigures.Cite(chosen), country, countryName, rows), null);
    }

    public static string NoneImported(string language) => language.StartsWith("ru", StringComparison.OrdinalIgnoreCase)
        ? "Национальные данные UNODC не загружены (POST /api/reference-series/unodc), поэтому сравнение с ними не приводится."
        : "No UNODC national series is imported (POST /api/reference-series/unodc), so no national figures are shown.";

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
