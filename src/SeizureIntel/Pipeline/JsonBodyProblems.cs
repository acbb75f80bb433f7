using System.Text.Json;

namespace SeizureIntel.Pipeline;

/// <summary>
/// Wolverine answers a body it cannot deserialize with its own 400 ("Invalid JSON format", the .NET type in its
/// detail). This middleware turns that answer into ours: a validation problem naming the field by its JSON path, like
/// every other 400 of the API (<see cref="RequestFailures.BadJson(string?, string)"/>), without .NET type names.
/// Only requests with a body are buffered, and only their (small) answers.
/// </summary>
public sealed class JsonBodyProblems(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.TransferEncoding.Any() || !context.Request.HasJsonContentType())
        {
            await next(context);
            return;
        }
        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }
        if (context.Response.StatusCode == StatusCodes.Status400BadRequest && buffer.Length < 64 * 1024 &&
            Wolverines(buffer.ToArray()) is { } detail)
        {
            context.Response.Headers.ContentLength = null;
            await Results.Problem(RequestFailures.BadJson(RequestFailures.PathIn(detail), detail)).ExecuteAsync(context);
            return;
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>The detail of Wolverine's "Invalid JSON format" answer, else null.</summary>
    private static string? Wolverines(byte[] body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object &&
                   json.RootElement.TryGetProperty("title", out var title) && title.GetString() == "Invalid JSON format" &&
                   json.RootElement.TryGetProperty("detail", out var detail)
                ? detail.GetString() ?? ""
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
