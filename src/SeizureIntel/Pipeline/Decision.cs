using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// What a use case's pure decision chose for a change to one stream: the events to append, or why not (problem details,
/// usually 409). The change pipeline (<see cref="ChangeAttribute"/>, <see cref="Change"/>) does the rest.
/// </summary>
public sealed record Decision(IReadOnlyList<object> Events, ProblemDetails? Problem)
{
    public static Decision Append(params object[] events) => new(events, null);
    public static Decision Refuse(ProblemDetails problem) => new([], problem);
}
