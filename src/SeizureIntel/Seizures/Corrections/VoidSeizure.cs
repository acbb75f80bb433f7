using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.Corrections;

/// <summary>Void a seizure recorded in error: it leaves every total, and its stream stays for the record.</summary>
public sealed record VoidSeizure(string? Reason);

public sealed record SeizureVoided(Guid SeizureId, string Reason, Actor By, DateTimeOffset At) : ISeizureEvent, IAttributedEvent;

public static class VoidSeizureEndpoint
{
    public const string Title = "The seizure was not voided";

    public static ProblemDetails Validate(VoidSeizure command)
    {
        if (command is null) return Problems.NoBody(Title);
        var problems = new Problems();
        problems.RequireText("reason", command.Reason);
        return problems.Verdict(Title);
    }

    public static Decision Decide(Seizure seizure, VoidSeizure command, Actor by, DateTimeOffset now) =>
        seizure.RefuseIfVoided(Title) ?? Decision.Append(new SeizureVoided(seizure.Id, command.Reason!.Trim(), by, now));

    /// <summary>Void a seizure, with a reason. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/void", OperationId = "voidSeizure")]
    public static (IResult, Events) Post(VoidSeizure command, [Change] Seizure seizure, Actor by, TimeProvider time) =>
        Decide(seizure, command, by, time.GetUtcNow()).Answer(seizure);
}
