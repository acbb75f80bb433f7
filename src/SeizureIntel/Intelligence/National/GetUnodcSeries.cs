using System.Globalization;
using System.Text.RegularExpressions;
using Marten;
using SeizureIntel.Calendar;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.National;

/// <summary>
/// One point of a national series: a year and a substance group (by=group: every UNODC drug of the group summed), or a
/// year and a UNODC drug (by=drug). Kg is UNODC's kilogram equivalent; Comments are the caveats of the rows summed
/// (financial years, partial years, customs only …), which belong with the figure wherever it is shown.
/// </summary>
public sealed record NationalPoint(int Year, string Group, string GroupName, string? UnodcGroup, string? Drug, decimal Kg, int Rows,
    IReadOnlyList<string> Comments);

/// <summary>The source cited with every national figure: UNODC, the edition, the file it was imported from and when.</summary>
public sealed record NationalSource(string Source, string Citation, string Edition, string FileSha256, string? FileName, DateTimeOffset ImportedAt, string ImportedBy);

public sealed record NationalSeriesAnswer(NationalSource Source, string Country, string? CountryName, string By, int? From, int? To,
    IReadOnlyList<NationalPoint> Series, IReadOnlyList<string> Editions);

/// <summary>The editions imported, newest first, with their provenance.</summary>
public sealed record NationalEditionsAnswer(IReadOnlyList<NationalEdition> Editions);

/// <summary>Finding an edition and a country's figures: shared by the series endpoint, trends and the annual report.</summary>
public static partial class NationalFigures
{
    [GeneratedRegex("^[A-Za-z]{3}$")] private static partial Regex CountryShape();

    /// <summary>A country code from a query (ISO 3166-1 alpha-3), upper case; null with a problem when malformed.</summary>
    public static string? Country(Problems problems, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!CountryShape().IsMatch(text.Trim())) { problems.Fail(field, $"'{text.Trim()}' is not an ISO 3166-1 alpha-3 country code, e.g. KGZ"); return null; }
        return text.Trim().ToUpperInvariant();
    }

    /// <summary>The named edition, or the newest imported (editions sort as their year or date of publication).</summary>
    public static async Task<NationalEdition?> EditionAsync(IQuerySession session, string? edition, CancellationToken token)
    {
        if (!string.IsNullOrWhiteSpace(edition))
            return await session.LoadAsync<NationalEdition>(NationalEdition.IdOf(NationalEdition.UnodcSource, edition.Trim()), token);
        var editions = await session.Query<NationalEdition>().Where(e => e.Source == NationalEdition.UnodcSource).ToListAsync(token);
        return editions.OrderByDescending(e => e.Edition, StringComparer.Ordinal).FirstOrDefault();
    }

    public static async Task<NationalCountrySeries?> CountryAsync(IQuerySession session, NationalEdition edition, string country, CancellationToken token) =>
        await session.LoadAsync<NationalCountrySeries>(NationalCountrySeries.IdOf(edition.Source, edition.Edition, country), token);

    public static NationalSource Cite(NationalEdition e) =>
        new(e.Source, NationalEdition.UnodcCitation, e.Edition, e.FileSha256, e.FileName, LocalCalendar.ToLocal(e.ImportedAt), e.ImportedBy);

    /// <summary>by=group: the year's figures of each group summed, comments of all the rows kept.</summary>
    public static List<NationalPoint> ByGroup(IEnumerable<NationalFigure> figures, ReferenceData reference, string language = "en") =>
        figures.GroupBy(f => (f.Year, f.Group)).OrderBy(g => g.Key.Year).ThenBy(g => g.Key.Group, StringComparer.Ordinal)
            .Select(g => new NationalPoint(g.Key.Year, g.Key.Group, GroupName(reference, g.Key.Group, language), null, null, g.Sum(f => f.Kg), g.Sum(f => f.Rows),
                g.SelectMany(f => f.Comments).Distinct().ToList()))
            .ToList();

    public static string GroupName(ReferenceData reference, string group, string language = "en") =>
        reference.Find(ReferenceData.SubstanceGroups, group)?.Name(language) ?? group;

    /// <summary>404 naming the edition: none imported yet, or not that one.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails Missing(string? edition)
    {
        var missing = Problems.Invalid("edition", string.IsNullOrWhiteSpace(edition)
            ? "no UNODC edition is imported yet (POST /api/reference-series/unodc)"
            : $"no UNODC edition '{edition.Trim()}' is imported", "No such reference series");
        missing.Status = StatusCodes.Status404NotFound;
        missing.Detail = "Nothing to show.";
        return missing;
    }
}

public static class GetUnodcSeriesEndpoint
{
    /// <summary>
    /// A country's national drug seizures as reported to UNODC, per year: by=group (default) sums each year's figures
    /// of a substance group of this node, by=drug gives UNODC's drugs one by one. from and to are years (inclusive);
    /// edition names an imported edition (default: the newest). Every point keeps the comments of its rows, and the
    /// answer cites the source, edition and file. Without country: the editions imported, newest first.
    /// </summary>
    [WolverineGet("/api/reference-series/unodc", OperationId = "getUnodcSeries")]
    public static async Task<IResult> Get(string? country, string? from, string? to, string? by, string? edition, ReferenceData reference,
        IQuerySession session, CancellationToken token)
    {
        var problems = new Problems();
        var code = NationalFigures.Country(problems, "country", country);
        var lo = Year(problems, "from", from);
        var hi = Year(problems, "to", to);
        if (lo > hi) problems.Fail("from", $"'{from}' is after to '{to}'");
        var grouping = string.IsNullOrWhiteSpace(by) ? "group" : by.Trim().ToLowerInvariant();
        if (grouping is not ("group" or "drug")) problems.Fail("by", "must be group or drug");
        if (code is null && !problems.Any && (lo is not null || hi is not null || !string.IsNullOrWhiteSpace(by)))
            problems.Fail("country", "is required with from, to or by: the ISO 3166-1 alpha-3 code, e.g. KGZ");
        if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad reference series query"));

        var editions = await session.Query<NationalEdition>().Where(e => e.Source == NationalEdition.UnodcSource).ToListAsync(token);
        if (code is null)
        {
            foreach (var e in editions) e.ImportedAt = LocalCalendar.ToLocal(e.ImportedAt);
            return TypedResults.Ok(new NationalEditionsAnswer(editions.OrderByDescending(e => e.Edition, StringComparer.Ordinal).ToList()));
        }
        var chosen = await NationalFigures.EditionAsync(session, edition, token);
        if (chosen is null) return TypedResults.Problem(NationalFigures.Missing(edition));
        var series = await NationalFigures.CountryAsync(session, chosen, code, token);
        var figures = (series?.Figures ?? []).Where(f => (lo is null || f.Year >= lo) && (hi is null || f.Year <= hi)).ToList();
        var points = grouping == "group"
            ? NationalFigures.ByGroup(figures, reference)
            : figures.Select(f => new NationalPoint(f.Year, f.Group, NationalFigures.GroupName(reference, f.Group), f.UnodcGroup, f.Drug, f.Kg, f.Rows, f.Comments)).ToList();
        return TypedResults.Ok(new NationalSeriesAnswer(NationalFigures.Cite(chosen), code, series?.CountryName, grouping, lo, hi, points,
            editions.Select(e => e.Edition).OrderByDescending(e => e, StringComparer.Ordinal).ToList()));
    }

    private static int? Year(Problems problems, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1980 and <= 9999) return year;
        problems.Fail(field, "must be a year such as 2015");
        return null;
    }
}
