using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// Collects what is wrong with a request, field by field (JSON paths such as <c>quantity.unit</c>), so that one
/// RFC 9457 answer names every bad field at once.
/// </summary>
public sealed class Problems
{
    public Dictionary<string, string[]> Errors { get; } = new();
    public bool Any => Errors.Count > 0;

    public void Fail(string field, string reason) =>
        Errors[field] = Errors.TryGetValue(field, out var reasons) ? [.. reasons, reason] : [reason];

    /// <summary>400: the request itself is malformed or names unknown codes.</summary>
    public ValidationProblemDetails Invalid(string title) => ToProblem(StatusCodes.Status400BadRequest, title,
        "One or more fields are missing or invalid; nothing was written.");

    /// <summary>409: the request is well formed but the seizure's current state refuses it.</summary>
    public ValidationProblemDetails Refused(string title) => ToProblem(StatusCodes.Status409Conflict, title,
        "The seizure's current state does not allow this; nothing was written.");

    /// <summary>A Validate step's answer: 400 naming every bad field, or Wolverine's "carry on" when there is none.</summary>
    public ProblemDetails Verdict(string title) => Any ? Invalid(title) : Wolverine.Http.WolverineContinue.NoProblems;

    private ValidationProblemDetails ToProblem(int status, string title, string detail) =>
        new(Errors) { Status = status, Title = title, Detail = detail };

    public static ProblemDetails Invalid(string field, string reason, string title)
    {
        var problems = new Problems();
        problems.Fail(field, reason);
        return problems.Invalid(title);
    }

    public static ProblemDetails Refused(string field, string reason, string title)
    {
        var problems = new Problems();
        problems.Fail(field, reason);
        return problems.Refused(title);
    }

    /// <summary>400 for a request whose body is JSON null or missing: nothing to check, nothing written.</summary>
    public static ProblemDetails NoBody(string title) => Invalid("body", "is required: a JSON object", title);

    /// <summary>Free text that is required and bounded (reasons, names of labs and methods).</summary>
    public string? RequireText(string field, string? value, int maxLength = 1000)
    {
        if (string.IsNullOrWhiteSpace(value)) Fail(field, "is required");
        else if (value.Length > maxLength) Fail(field, $"must be at most {maxLength} characters");
        else return value.Trim();
        return null;
    }
}
