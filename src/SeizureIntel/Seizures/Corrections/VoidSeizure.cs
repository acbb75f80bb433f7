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

    /// <summary>
    /// Pure. An original that live duplicates name cannot be voided: the physical seizure would leave every total,
    /// since its duplicates do not count. Void the duplicates first (each with its reason) when the whole seizure was
    /// recorded in error; otherwise correct the original instead of voiding it.
    /// </summary>
    public static Decision Decide(Seizure seizure, Duplicates duplicates, VoidSeizure command, Actor by, DateTimeOffset now) =>
        seizure.RefuseIfVoided(Title)
        ?? (duplicates.References.Count > 0
            ? Decision.Refuse(Problems.Refused("seizure",
                $"is the original of {string.Join(", ", duplicates.References)}, which count through it; void those first, or correct this seizure instead", Title))
            : Decision.Append(new SeizureVoided(seizure.Id, command.Reason!.Trim(), by, now)));

    /// <summary>The live seizures marked as duplicates of this one (a duplicate being marked locks it: see MarkDuplicate).</summary>
    public static Task<Duplicates> LoadAsync(Guid id, IDocumentSession session, CancellationToken token) => Duplicates.OfAsync(session, id, token);

    /// <summary>Void a seizure, with a reason. Requires If-Match with the seizure's ETag. Refused (409) while duplicates name it.</summary>
    [WolverinePost("/api/seizures/{id}/void", OperationId = "voidSeizure")]
    public static (IResult, Events) Post(VoidSeizure command, Duplicates duplicates, [Change] Seizure seizure, Actor by, TimeProvider time) =>
        Decide(seizure, duplicates, command, by, time.GetUtcNow()).Answer(seizure);
}
