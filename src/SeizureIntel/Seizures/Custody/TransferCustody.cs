using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.Custody;

/// <summary>
/// Hand the evidence over: from the current custodian to the next (seizing officer → evidence room → …). Custodians
/// are pseudonymous ids or unit names, e.g. "officer-17", "evidence-room-SIZO-1".
/// </summary>
public sealed record TransferCustody(string? From, string? To, string? At, string? SealNumber, string? Reason, string? Place);

public sealed record CustodyTransferred(
    Guid SeizureId, string From, string To, DateTimeOffset HandedOverAt, string? SealNumber, string Reason, string? Place,
    Actor By, DateTimeOffset At) : ISeizureEvent, IAttributedEvent;

public static class TransferCustodyEndpoint
{
    public const string Title = "Custody was not transferred";

    public static (DateTimeOffset? At, Problems Problems) Check(TransferCustody command, DateTimeOffset now)
    {
        var problems = new Problems();
        var from = problems.RequireText("from", command.From, 200);
        var to = problems.RequireText("to", command.To, 200);
        if (from is not null && to is not null && from == to) problems.Fail("to", "is the same custodian as from");
        problems.RequireText("reason", command.Reason);
        var at = SeizureFields.Instant(problems, "at", command.At, now, required: true);
        if (command.SealNumber is { Length: > 100 }) problems.Fail("sealNumber", "must be at most 100 characters");
        if (command.Place is { Length: > 200 }) problems.Fail("place", "must be at most 200 characters");
        return (at, problems);
    }

    public static ProblemDetails Validate(TransferCustody command, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Pure: only the current custodian hands over, never after destruction, never before the seizure.</summary>
    public static Decision Decide(Seizure seizure, TransferCustody command, DateTimeOffset handedOverAt, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.Destroyed) return Decision.Refuse(Problems.Refused("seizure", "the evidence was destroyed", Title));
        var from = command.From!.Trim();
        if (from != seizure.CurrentCustodian)
            return Decision.Refuse(Problems.Refused("from", $"is not the current custodian ({seizure.CurrentCustodian}); only they can hand over", Title));
        var last = seizure.Custody.Last().Since;
        if (handedOverAt < last)
            return Decision.Refuse(Problems.Refused("at", $"is before the current custodian received the evidence ({last:O})", Title));
        return Decision.Append(new CustodyTransferred(seizure.Id, from, command.To!.Trim(), handedOverAt.ToUniversalTime(),
            string.IsNullOrWhiteSpace(command.SealNumber) ? null : command.SealNumber.Trim(), command.Reason!.Trim(),
            string.IsNullOrWhiteSpace(command.Place) ? null : command.Place.Trim(), by, now));
    }

    /// <summary>Record a hand-over of the evidence. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/custody", OperationId = "transferCustody")]
    public static (IResult, Events) Post(TransferCustody command, [Change] Seizure seizure, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (at, _) = Check(command, now);
        return Decide(seizure, command, at!.Value, by, now).Answer(seizure);
    }
}
