using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.Destruction;

/// <summary>The evidence was destroyed (e.g. incinerated) before witnesses. The seizure still counts in its totals.</summary>
public sealed record DestroyEvidence(string? Method, List<string>? Witnesses, string? DestroyedAt, string? Place);

public sealed record EvidenceDestroyed(Guid SeizureId, string Method, IReadOnlyList<string> Witnesses, DateTimeOffset DestroyedAt,
    string? Place, Actor By, DateTimeOffset At) : ISeizureEvent, IAttributedEvent;

public static class DestroyEvidenceEndpoint
{
    public const string Title = "The destruction was not recorded";

    public static (DateTimeOffset? At, Problems Problems) Check(DestroyEvidence command, DateTimeOffset now)
    {
        var problems = new Problems();
        problems.RequireText("method", command.Method, 200);
        Bounds.Texts(problems, "witnesses", command.Witnesses, required: true, "name at least one witness (pseudonymous ids), none blank");
        ShortText(problems, "place", command.Place);
        var at = SeizureFields.Instant(problems, "destroyedAt", command.DestroyedAt, now, required: true);
        return (at, problems);
    }

    private static void ShortText(Problems problems, string field, string? value)
    {
        if (value is { Length: > Bounds.MaxItemLength }) problems.Fail(field, $"must be at most {Bounds.MaxItemLength} characters");
    }

    public static ProblemDetails Validate(DestroyEvidence command, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    public static Decision Decide(Seizure seizure, DestroyEvidence command, DateTimeOffset destroyedAt, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.Destroyed) return Decision.Refuse(Problems.Refused("seizure", "the evidence was already destroyed", Title));
        return Decision.Append(new EvidenceDestroyed(seizure.Id, command.Method!.Trim(), command.Witnesses!.Select(w => w.Trim()).ToList(),
            destroyedAt.ToUniversalTime(), string.IsNullOrWhiteSpace(command.Place) ? null : command.Place.Trim(), by, now));
    }

    /// <summary>Record the destruction of the evidence. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/destruction", OperationId = "destroyEvidence")]
    public static (IResult, Events) Post(DestroyEvidence command, [Change] Seizure seizure, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (at, _) = Check(command, now);
        return Decide(seizure, command, at!.Value, by, now).Answer(seizure);
    }
}
