using System.Text;
using Marten;
using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Imports;

public static class GetImportEndpoint
{
    /// <summary>
    /// An import's status (queued, validating, writing, completed, checked, refused, failed), progress and counts (rows read,
    /// valid, imported, already imported, refused) and its refusals (line, column, value, why); format=csv (or Accept:
    /// text/csv) gives the refusals as a CSV to fix and re-submit (cells that would run as formulas neutralised).
    /// </summary>
    [WolverineGet("/api/imports/{id}", OperationId = "getImport")]
    public static async Task<IResult> Get(string id, string? format, HttpContext context, IQuerySession session, CancellationToken token)
    {
        if (!Guid.TryParse(id, out var importId)) return TypedResults.Problem(Problems.Invalid("id", "must be an import id (a UUID)", "Bad import id"));
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase) ||
                  (format is null && context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            return TypedResults.Problem(Problems.Invalid("format", "must be json or csv", "Bad import parameters"));
        var import = await session.LoadAsync<SeizureImport>(importId, token);
        if (import is null) return TypedResults.NotFound();
        return csv
            ? TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(RefusalsCsv(import))).ToArray(), "text/csv; charset=utf-8",
                $"import-{import.Id}-refusals.csv")
            : TypedResults.Ok(import);
    }

    /// <summary>line,column,value,why: one refusal a line, in file order.</summary>
    public static string RefusalsCsv(SeizureImport import)
    {
        var text = new StringBuilder("line,column,value,why\n");
        foreach (var r in import.Refusals.OrderBy(r => r.Line))
            text.Append(r.Line).Append(',').Append(SafeCells.Csv(r.Column)).Append(',').Append(SafeCells.Csv(r.Value)).Append(',')
                .Append(SafeCells.Csv(r.Why)).Append('\n');
        return text.ToString();
    }
}
