using Marten;
using Microsoft.AspNetCore.Http.Features;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Imports;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>
/// Search effort in bulk from a CSV file, as facilities keep it in a spreadsheet: one line per facility, kind and day
/// or month. Read with the seizure import's own readers (encoding UTF-8 or Windows-1251, delimiter ; tab or , from the
/// header, quoted fields, decimal commas), every line checked as POST /api/effort checks an entry; one bad line and
/// nothing is written (all or nothing), the refusal naming each line and column ("lines[3].amount").
/// </summary>
public static class ImportEffortCsvEndpoint
{
    public const string Title = "The search effort file was not imported";
    public const long MaxFileBytes = 4L * 1024 * 1024;

    /// <summary>The template's columns, each with its Russian header; facility, kind, amount and date or month are required.</summary>
    public static readonly (string Name, string Ru)[] Columns =
    [
        ("facility", "учреждение"), ("kind", "вид"), ("date", "дата"), ("month", "месяц"), ("amount", "количество"), ("notes", "примечание"),
    ];

    public const string Template = "facility;kind;date;month;amount;notes\nSIZO-1;parcels-xrayed;;2015-03;1600;\n";

    /// <summary>
    /// Import search effort from a CSV file sent as the body (text/csv) or as the multipart part "file". Header line
    /// required (English or Russian names, any order): facility;kind;date;month;amount;notes. 201 with the new entries'
    /// ids in line order; 400 naming every bad line and column, and nothing written.
    /// </summary>
    [WolverinePost("/api/effort/imports", OperationId = "importEffortCsv")]
    public static async Task<IResult> Post(HttpContext context, FacilityCatalog facilities, ReferenceData reference, NodeIdentity node,
        IDocumentStore store, TimeProvider time, CancellationToken token)
    {
        var by = Actors.From(context, node);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFileBytes;
        Stream content;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(token);
            if ((form.Files.GetFile("file") ?? form.Files.FirstOrDefault()) is not { Length: > 0 } file)
                return TypedResults.Problem(Problems.Invalid("file", "is required: the CSV file as the multipart part \"file\"", Title));
            content = file.OpenReadStream();
        }
        else content = context.Request.Body;
        await using var spooled = await ImportIntake.SpoolAsync(content, token);
        if (spooled.Length == 0) return TypedResults.Problem(Problems.Invalid("file", "is required: send the CSV file as the body", Title));
        if (spooled.Length > MaxFileBytes) return TypedResults.Problem(Problems.Invalid("file", $"is larger than {MaxFileBytes / 1024 / 1024} MB", Title));

        var facts = await TextDetection.ScanAsync(spooled, token);
        if (facts.Xlsx) return TypedResults.Problem(Problems.Invalid("file", "must be CSV text (save the sheet as CSV)", Title));
        spooled.Position = 0;
        using var text = new StreamReader(spooled, facts.Encoding, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        string all;
        try { all = await text.ReadToEndAsync(token); }
        catch (System.Text.DecoderFallbackException) { return TypedResults.Problem(Problems.Invalid("file", "is not valid text", Title)); }

        var (entries, problems) = Read(all, facilities, reference, time.GetUtcNow());
        if (problems.Any) return TypedResults.Problem(problems.Invalid(Title));

        var now = time.GetUtcNow();
        var ids = new List<Guid>();
        await using var session = store.LightweightSession();
        foreach (var (figures, notes) in entries)
        {
            var id = Guid.CreateVersion7(now);
            session.Events.StartStream<EffortRecord>(id, RecordEffortEndpoint.Decide(id, figures, notes, by, now));
            ids.Add(id);
        }
        await session.SaveChangesAsync(token);
        return Results.Created("/api/effort", new EffortImported(ids));
    }

    /// <summary>Pure: the file's entries, or every reason it cannot be imported (lines counted from 1, the header).</summary>
    public static (List<(EffortFigures Figures, string? Notes)> Entries, Problems Problems) Read(string csv, FacilityCatalog facilities,
        ReferenceData reference, DateTimeOffset now)
    {
        var problems = new Problems();
        var entries = new List<(EffortFigures, string?)>();
        var headerLine = csv.Split('\n', 2)[0];
        var delimiter = TextDetection.Delimiter(headerLine);
        using var reader = new StringReader(csv);
        using var records = new DelimitedReader(reader, delimiter).Records().GetEnumerator();
        if (!records.MoveNext()) { problems.Fail("file", "is empty: the first line must name the columns"); return (entries, problems); }

        var byHeader = Columns.SelectMany(c => new[] { (ImportColumns.Normalise(c.Name), c.Name), (ImportColumns.Normalise(c.Ru), c.Name) })
            .ToDictionary(p => p.Item1, p => p.Item2);
        var columns = records.Current.Fields.Select(f => byHeader.GetValueOrDefault(ImportColumns.Normalise(f))).ToArray();
        var missing = new[] { "facility", "kind", "amount" }.Where(c => !columns.Contains(c)).ToList();
        if (!columns.Contains("date") && !columns.Contains("month")) missing.Add("date or month");
        if (missing.Count > 0)
        {
            problems.Fail("lines[1]", $"the header lacks {string.Join(", ", missing)} (expected: {string.Join(delimiter, Columns.Select(c => c.Name))})");
            return (entries, problems);
        }

        var count = 0;
        while (records.MoveNext())
        {
            var record = records.Current;
            var prefix = $"lines[{record.Line}].";
            if (++count > ImportEffortEndpoint.MaxEntries)
            {
                problems.Fail("file", $"has more than {ImportEffortEndpoint.MaxEntries} lines; split it");
                break;
            }
            if (record.Broken is not null) { problems.Fail(prefix.TrimEnd('.'), record.Broken); continue; }
            if (record.Fields.Count > columns.Length && record.Fields.Skip(columns.Length).Any(f => f.Trim().Length > 0))
            {
                problems.Fail(prefix.TrimEnd('.'), $"{record.Fields.Count} fields where the header has {columns.Length}; quote fields that hold '{delimiter}'");
                continue;
            }
            string? Cell(string name)
            {
                var i = Array.IndexOf(columns, name);
                return i < 0 || i >= record.Fields.Count || record.Fields[i].Trim().Length == 0 ? null : record.Fields[i].Trim();
            }
            var (amount, why) = CellText.Number(Cell("amount"), null, commaLocale: delimiter != ',');
            if (why is not null) { problems.Fail(prefix + "amount", why); continue; }
            var lineProblems = new Problems();
            var figures = EffortFields.Check(lineProblems, prefix, Cell("facility"), Cell("kind"), Cell("date"), Cell("month"), amount, facilities, reference, now);
            var notes = EffortFields.OptionalText(lineProblems, prefix + "notes", Cell("notes"), 4000);
            foreach (var (field, reasons) in lineProblems.Errors) problems.Errors[field] = reasons;
            if (!lineProblems.Any) entries.Add((figures!, notes));
        }
        if (!problems.Any && entries.Count == 0) problems.Fail("file", "has no lines after the header");
        return (entries, problems);
    }
}
