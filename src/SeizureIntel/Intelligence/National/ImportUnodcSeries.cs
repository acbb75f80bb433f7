using System.Text.RegularExpressions;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Calendar;
using SeizureIntel.Identity;
using SeizureIntel.Imports;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.National;

/// <summary>Answer to an imported (or already imported) edition: what was counted, refused and where to read it.</summary>
public sealed record UnodcImported(
    string Source, string Edition, string FileSha256, bool AlreadyImported, int RowsRead, int RowsImported, int RowsRefused, int Figures,
    IReadOnlyList<string> Countries, int? FirstYear, int? LastYear, DateTimeOffset ImportedAt, string ImportedBy, IReadOnlyList<ImportRefusal> Refusals,
    string Location);

/// <summary>The pure part of an import: rows of one edition → its documents (repeated rows summed, comments kept).</summary>
public static class UnodcSeries
{
    public static List<NationalCountrySeries> Build(string edition, IEnumerable<UnodcRow> rows) =>
        rows.GroupBy(r => r.CountryCode)
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(country => new NationalCountrySeries
            {
                Id = NationalCountrySeries.IdOf(NationalEdition.UnodcSource, edition, country.Key),
                Edition = edition,
                Country = country.Key,
                CountryName = country.First().Country,
                Figures = country
                    .GroupBy(r => (r.Year, r.Group, Unodc: r.UnodcGroup.ToLowerInvariant(), Drug: r.Drug.Trim().ToLowerInvariant()))
                    .OrderBy(f => f.Key.Year).ThenBy(f => f.Key.Group, StringComparer.Ordinal).ThenBy(f => f.Key.Drug, StringComparer.Ordinal)
                    .Select(f => new NationalFigure(f.Key.Year, f.Key.Group, f.First().UnodcGroup, f.First().Drug.Trim(), f.Sum(r => r.Kg), f.Count(),
                        f.Select(r => r.Line).ToList(),
                        f.Where(r => r.Comment is not null).Select(r => r.Comment!).Distinct().ToList(),
                        f.Where(r => r.SpecificDrugName is not null).Select(r => r.SpecificDrugName!).Distinct().ToList()))
                    .ToList(),
            })
            .ToList();
}

public static partial class ImportUnodcSeriesEndpoint
{
    public const string RefusedTitle = "The UNODC table was not imported";

    /// <summary>A national table is small: the world's whole export is a few MiB.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    [GeneratedRegex(@"^\d{4}(-\d{2}(-\d{2})?)?$")] private static partial Regex EditionShape();

    /// <summary>
    /// Import an edition of UNODC's country-year drug seizure table (the data portal's export, CSV in its clean ";" form
    /// or a damaged copy, or XLSX), as the body or the multipart part "file". edition (required) names it: the year or
    /// date of publication, e.g. 2024 or 2024-06. Every row is checked first and nothing is written unless all are valid
    /// (skipInvalid=true writes the valid rows and lists the others); rows that repeat a country, year, group and drug
    /// are summed, their comments kept with the figure. UNODC drug groups are mapped to the node's substance groups;
    /// an unmapped group is refused by name. The same file again is a no-op (200); another file under an imported
    /// edition is 409. Answers 201 with the edition's counts and provenance.
    /// </summary>
    [WolverinePost("/api/reference-series/unodc", OperationId = "importUnodcSeries")]
    public static async Task<IResult> Post(HttpContext context, string? edition, string? skipInvalid, string? fileName, NodeIdentity node,
        IDocumentStore store, TimeProvider time, CancellationToken token)
    {
        var by = Actors.From(context, node);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFileBytes;
        var now = time.GetUtcNow();
        var problems = new Problems();
        var label = edition?.Trim();
        if (string.IsNullOrEmpty(label)) problems.Fail("edition", "is required: the year or date of the UNODC edition, e.g. 2024 or 2024-06");
        else if (!EditionShape().IsMatch(label) || int.Parse(label[..4]) < 1990 || int.Parse(label[..4]) > LocalCalendar.LocalDate(now).Year + 1)
            problems.Fail("edition", $"'{label}' must be a year or date of publication from 1990 on, e.g. 2024 or 2024-06");
        var skip = false;
        if (!string.IsNullOrWhiteSpace(skipInvalid) && !bool.TryParse(skipInvalid, out skip)) problems.Fail("skipInvalid", "must be true or false");
        if (fileName is { Length: > 260 }) problems.Fail("fileName", "must be at most 260 characters");
        Stream? content = null;
        var name = fileName;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(token);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null || file.Length == 0) problems.Fail("file", "is required: the UNODC table as the multipart part \"file\"");
            else { content = file.OpenReadStream(); name ??= file.FileName; }
        }
        else content = context.Request.Body;
        if (problems.Any) return TypedResults.Problem(problems.Invalid(RefusedTitle));

        await using var spooled = await ImportIntake.SpoolAsync(content!, token);
        if (spooled.Length == 0) return TypedResults.Problem(Problems.Invalid("file", "is required: send the UNODC table as the body", RefusedTitle));
        var facts = await TextDetection.ScanAsync(spooled, token);
        var id = NationalEdition.IdOf(NationalEdition.UnodcSource, label!);

        await using var session = store.LightweightSession();
        if (await session.LoadAsync<NationalEdition>(id, token) is { } existing)
        {
            if (existing.FileSha256 == facts.Sha256) return TypedResults.Ok(Answer(existing, alreadyImported: true));
        {
            var conflict = new Problems();
            conflict.Fail("edition", $"edition {label} is already imported from another file (sha256 {existing.FileSha256[..12]}…, {existing.FileName}); " +
                                     "editions are never overwritten: import the newer table under its own edition");
            var problem = conflict.Refused(RefusedTitle);
            problem.Detail = "An edition is kept as it was imported; nothing was written.";
            return TypedResults.Problem(problem);
        }
        }

        spooled.Position = 0;
        var reading = UnodcTable.Read(spooled, facts, LocalCalendar.LocalDate(now).Year);
        if (reading.RowsRead == 0)
        {
            var why = reading.Refusals.FirstOrDefault()?.Why ?? "has no rows after the header";
            return Refused(reading, why, reading.Refusals.Count == 0 ? "has no rows after the header" : why);
        }
        if (reading.Refusals.Count > 0 && !skip)
            return Refused(reading, null, $"{reading.Refusals.Select(r => r.Line).Distinct().Count()} of {reading.RowsRead} rows were refused; " +
                                          "nothing was written (fix them, or send skipInvalid=true to import the others)");
        if (reading.Rows.Count == 0) return Refused(reading, null, "no row is valid; nothing was written");

        var series = UnodcSeries.Build(label!, reading.Rows);
        var imported = new NationalEdition
        {
            Id = id, Edition = label!, FileName = name, FileSha256 = facts.Sha256, FileBytes = facts.Length, Format = reading.Format,
            Delimiter = reading.Delimiter?.ToString(), Encoding = reading.Encoding, ImportedBy = by.User, Agency = by.Agency, ImportedAt = now,
            RowsRead = reading.RowsRead, RowsImported = reading.Rows.Count, RowsRefused = reading.Refusals.Select(r => r.Line).Distinct().Count(),
            Figures = series.Sum(s => s.Figures.Count), Countries = series.Select(s => s.Country).ToList(),
            FirstYear = reading.Rows.Min(r => r.Year), LastYear = reading.Rows.Max(r => r.Year),
            Refusals = reading.Refusals.Take(Imports.SeizureImport.MaxStoredRefusals).ToList(),
        };
        session.Store(imported);
        foreach (var country in series) session.Store(country);
        await session.SaveChangesAsync(token);
        var answer = Answer(imported, alreadyImported: false);
        return TypedResults.Created(answer.Location, answer);
    }

    private static UnodcImported Answer(NationalEdition e, bool alreadyImported) =>
        new(e.Source, e.Edition, e.FileSha256, alreadyImported, e.RowsRead, e.RowsImported, e.RowsRefused, e.Figures, e.Countries, e.FirstYear, e.LastYear,
            LocalCalendar.ToLocal(e.ImportedAt), e.ImportedBy, e.Refusals, $"/api/reference-series/unodc?edition={e.Edition}");

    /// <summary>400 naming the file and the first refusals (line, column, why); all of them in the extension "refusals".</summary>
    private static IResult Refused(UnodcReading reading, string? headerWhy, string summary)
    {
        var problems = new Problems();
        if (headerWhy is not null) problems.Fail("file", headerWhy);
        else
        {
            problems.Fail("file", summary);
            foreach (var r in reading.Refusals.Take(20))
                problems.Fail("file", $"line {r.Line}{(r.Column is null ? "" : ", " + r.Column)}: {r.Why}");
        }
        var problem = problems.Invalid(RefusedTitle);
        problem.Extensions["refusals"] = reading.Refusals.Take(1000).ToList();
        problem.Extensions["rowsRead"] = reading.RowsRead;
        return TypedResults.Problem(problem);
    }
}
