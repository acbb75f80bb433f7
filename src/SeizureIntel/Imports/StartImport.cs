using Marten;
using Microsoft.AspNetCore.Http.Features;
using SeizureIntel.Identity;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Imports;

/// <summary>Answer to an accepted import: 202 with its id; Location /api/imports/{id} follows its progress.</summary>
public sealed record ImportAccepted(Guid Id, string Status, string FileSha256, string Location);

public static class StartImportEndpoint
{
    public const string RefusedTitle = "The import was not started";

    /// <summary>The largest file the API takes (the import command reads any size from disk).</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;

    /// <summary>
    /// Import seizures from a CSV or XLSX file, sent as the body or as the multipart part "file" (with an optional part
    /// "mapping": a mapping file). Answers 202 with the import's id and Location /api/imports/{id}; the node checks every
    /// row first and writes nothing unless all are valid (skipInvalid=true writes the valid rows and lists the others);
    /// dryRun=true only checks. Rows imported before (same reference, or same content) are not written again.
    /// </summary>
    [WolverinePost("/api/imports", OperationId = "startImport")]
    public static async Task<IResult> Post(HttpContext context, string? skipInvalid, string? dryRun, string? fileName, NodeIdentity node,
        IDocumentStore store, ImportQueue queue, TimeProvider time, CancellationToken token)
    {
        // the actor from the one place that resolves it (taking Actor as a parameter would make Wolverine expect a JSON body)
        var by = Actors.From(context, node);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFileBytes;
        var problems = new Problems();
        var skip = Flag(problems, "skipInvalid", skipInvalid);
        var dry = Flag(problems, "dryRun", dryRun);
        string? mappingJson = null;
        Stream? content = null;
        var name = fileName;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(token);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault(f => f.Name != "mapping");
            if (file is null || file.Length == 0) problems.Fail("file", "is required: the CSV or XLSX file as the multipart part \"file\"");
            else { content = file.OpenReadStream(); name ??= file.FileName; }
            var mappingPart = form.Files.GetFile("mapping");
            if (mappingPart is not null) { using var reader = new StreamReader(mappingPart.OpenReadStream()); mappingJson = await reader.ReadToEndAsync(token); }
            else if (form.TryGetValue("mapping", out var text) && !string.IsNullOrWhiteSpace(text)) mappingJson = text.ToString();
        }
        else content = context.Request.Body;
        if (mappingJson is not null && ImportMapping.Parse(mappingJson).Error is { } mappingError) problems.Fail("mapping", mappingError);
        if (name is { Length: > 260 }) problems.Fail("fileName", "must be at most 260 characters");
        if (problems.Any) return TypedResults.Problem(problems.Invalid(RefusedTitle));

        await using var spooled = await ImportIntake.SpoolAsync(content!, token);
        if (spooled.Length == 0) return TypedResults.Problem(Problems.Invalid("file", "is required: send the CSV or XLSX file as the body", RefusedTitle));
        var import = await ImportIntake.CreateAsync(store, spooled, new ImportOptions(skip, dry, mappingJson, name), by, time.GetUtcNow(), token);
        queue.Enqueue(import.Id);
        var location = $"/api/imports/{import.Id}";
        return TypedResults.Accepted(location, new ImportAccepted(import.Id, "queued", import.FileSha256, location));
    }

    private static bool Flag(Problems problems, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return false;
        if (bool.TryParse(value, out var flag)) return flag;
        problems.Fail(name, "must be true or false");
        return false;
    }
}
