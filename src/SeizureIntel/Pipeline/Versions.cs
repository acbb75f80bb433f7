using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// What a versioned resource is called in the answers about its version: "seizure" and its GET route, "joint
/// operation" and its route.
/// </summary>
public sealed record VersionedResource(string Name, string ReadRoute)
{
    public static readonly VersionedResource Seizure = new("seizure", "GET /api/seizures/{id}");
    public static readonly VersionedResource JointOperation = new("joint operation", "GET /api/operations/{id}");
}

/// <summary>
/// Optimistic concurrency over HTTP: a resource's ETag is its stream version; every change must send it back in
/// If-Match, so a change based on a stale read is refused (412) instead of silently overwriting a colleague's.
/// </summary>
public static class Versions
{
    public static string ETag(long version) => $"\"{version}\"";

    /// <summary>The version the client based its change on, or the problem with its If-Match header (428 missing, 400 malformed).</summary>
    public static (long? Version, ProblemDetails? Problem) Expected(HttpContext context, VersionedResource resource)
    {
        var header = context.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
            return (null, new ProblemDetails
            {
                Status = StatusCodes.Status428PreconditionRequired,
                Title = "If-Match is required",
                Detail = $"Send the ETag of the {ShortName(resource)} you read ({resource.ReadRoute}) in If-Match; nothing was written.",
            });
        var text = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        return long.TryParse(text.Trim('"'), out var version) && version > 0
            ? (version, null)
            : (null, Problems.Invalid("If-Match", $"'{header}' is not an ETag of this API (a quoted version such as \"3\")", "Malformed If-Match"));
    }

    public static ProblemDetails Stale(VersionedResource resource, long expected, long actual) => new()
    {
        Status = StatusCodes.Status412PreconditionFailed,
        Title = $"The {resource.Name} has changed since you read it",
        Detail = $"If-Match names version {expected} but the {ShortName(resource)} is at version {actual}; read it again. Nothing was written.",
    };

    private static string ShortName(VersionedResource resource) => resource.Name.Split(' ')[^1];
}
