using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// The last of the exception handlers (after <see cref="ChangeRefusals"/>): nothing a client sends ends in a bare 500
/// or a stack trace. A body that is not JSON, or has a value of the wrong type, is 400 naming the field (its JSON path);
/// a body over the size limit is 413; anything else is 500 problem details carrying a correlation id, and the same id
/// is logged with the exception, so an operator can find the cause without the client ever seeing it.
/// </summary>
public sealed partial class RequestFailures(ILogger<RequestFailures> log) : IExceptionHandler
{
    public const string CorrelationHeader = "X-Correlation-Id";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken token)
    {
        if (context.Response.HasStarted) return false;
        var correlation = CorrelationId(context);
        var problem = Classify(exception);
        if (problem.Status >= 500)
            log.LogError(exception, "Unhandled failure {CorrelationId} on {Method} {Path}", correlation, context.Request.Method, context.Request.Path);
        else
            log.LogInformation("Refused request {CorrelationId} on {Method} {Path}: {Reason}", correlation, context.Request.Method,
                context.Request.Path, exception.Message);
        problem.Extensions["correlationId"] = correlation;
        context.Response.Headers[CorrelationHeader] = correlation;
        await Results.Problem(problem).ExecuteAsync(context);
        return true;
    }

    public static string CorrelationId(HttpContext context) => Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;

    /// <summary>What the client is told: never the exception's message or stack for a failure of ours.</summary>
    public static ProblemDetails Classify(Exception exception)
    {
        if (Find<JsonException>(exception) is { } json) return BadJson(json);
        if (exception is BadHttpRequestException bad)
            return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge()
                : new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = "The request could not be read; nothing was written." };
        if (exception is OperationCanceledException)
            return new ProblemDetails { Status = 499, Title = "Request cancelled", Detail = "The client went away; nothing more was done." };
        return new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "Unexpected failure",
            Detail = "The node failed on this request; it is logged under the correlation id. Report that id to the node's operator. " +
                     "A change that failed was not written (its transaction rolled back).",
        };
    }

    public static ProblemDetails TooLarge() => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Title = "Request body too large",
        Detail = $"Bodies may be at most {Bounds.MaxRequestBytes:N0} bytes; nothing was written.",
    };

    /// <summary>400 naming the field whose value could not be read (JSON path without the leading "$."), or the body.</summary>
    private static ValidationProblemDetails BadJson(JsonException json) => BadJson(json.Path, json.Message);

    /// <summary>
    /// 400 naming the field at <paramref name="path"/> (System.Text.Json's JSON path, e.g. <c>$.quantity.value</c>):
    /// a value of the wrong type, out of its type's range, or broken JSON. Nothing of the .NET types is shown.
    /// </summary>
    public static ValidationProblemDetails BadJson(string? path, string message)
    {
        var field = path is { Length: > 1 } p ? p.TrimStart('$').TrimStart('.') : "body";
        if (field.Length == 0) field = "body";
        var syntax = !message.Contains("could not be converted", StringComparison.Ordinal);
        var reason = field == "body"
            ? "must be a JSON object"
            : syntax
                ? "is not valid JSON (check quotes, commas and brackets from here on)"
                : "has a value of the wrong type or out of range (a number within range, a string, true/false, a UUID, an array or an " +
                  "object as /openapi/v1.json documents)";
        var problems = new Problems();
        problems.Fail(field, reason);
        return problems.Invalid("The request body could not be read");
    }

    /// <summary>The JSON path in a System.Text.Json message ("… Path: $.quantity.value | LineNumber: …").</summary>
    public static string? PathIn(string message) => JsonPath().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"Path: (\$[^\s|]*)", RegexOptions.CultureInvariant)]
    private static partial Regex JsonPath();

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
