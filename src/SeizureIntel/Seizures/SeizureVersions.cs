using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Seizures;

/// <summary>
/// Optimistic concurrency over HTTP: a seizure's ETag is its stream version; every change must send it back in
/// If-Match, so a change based on a stale read is refused (412) instead of silently overwriting a colleague's.
/// </summary>
public static class SeizureVersions
{
    public static string ETag(long version) => $"\"{version}\"";

    /// <summary>The version the client based its change on, or the problem with its If-Match header.</summary>
    public static (long? Version, ProblemDetails? Problem) Expected(HttpContext context)
    {
        var header = context.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
            return (null, new ProblemDetails
            {
                Status = StatusCodes.Status428PreconditionRequired,
                Title = "If-Match is required",
                Detail = "Send the ETag of the seizure you read (GET /api/seizures/{id}) in If-Match; nothing was written.",
            });
        var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        return long.TryParse(text.Trim('"'), out var version) && version > 0
            ? (version, null)
            : (null, Problems.Invalid("If-Match", $"'{header}' is not an ETag of this API (a quoted version such as \"3\")", "Malformed If-Match"));
    }

    public static ProblemDetails Stale(long expected, long actual) => new()
    {
        Status = StatusCodes.Status412PreconditionFailed,
        Title = "The seizure has changed since you read it",
        Detail = $"If-Match names version {expected} but the seizure is at version {actual}; read it again. Nothing was written.",
    };
}
