using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>
/// Correct an effort entry: the fields given replace the entry's (date or month replaces its period); a reason is
/// required. Requires If-Match with the entry's ETag.
/// </summary>
public sealed record CorrectEffort(string? Reason, string? FacilityId = null, string? Kind = null, string? Date = null, string? Month = null,
    decimal? Amount = null);

public static class CorrectEffortEndpoint
{
    public const string Title = "The search effort was not corrected";

    /// <summary>Pure: the corrected figures, or why not; a void entry takes no more corrections, and nothing-changed is refused.</summary>
    public static Decision Decide(EffortRecord entry, EffortFigures figures, string reason, Actor by, DateTimeOffset now)
    {
        if (entry.Voided) return Decision.Refuse(Problems.Refused("effort", $"was voided ({entry.VoidReason}); record a new entry instead", Title));
        if (figures == entry.Figures) return Decision.Refuse(Problems.Refused("body", "changes nothing: give the fields that were wrong", Title));
        return Decision.Append(new EffortCorrected(entry.Id, figures, reason, by, now));
    }

    /// <summary>The entry's figures with the fields the correction gives; problems name each bad field.</summary>
    public static (EffortFigures? Figures, string? Reason, Problems Problems) Check(CorrectEffort command, EffortRecord? entry, FacilityCatalog facilities,
        ReferenceData reference, DateTimeOffset now)
    {
        var problems = new Problems();
        var reason = problems.RequireText("reason", command.Reason, 1000);
        if (entry is null) return (null, reason, problems);
        var keepPeriod = string.IsNullOrWhiteSpace(command.Date) && string.IsNullOrWhiteSpace(command.Month);
        var figures = EffortFields.Check(problems, "", command.FacilityId ?? entry.Facility, command.Kind ?? entry.Kind,
            keepPeriod ? (entry.Period == EffortRecord.Day ? entry.Figures.Label : null) : command.Date,
            keepPeriod ? (entry.Period == EffortRecord.Month ? entry.Figures.Label : null) : command.Month,
            command.Amount ?? entry.Amount, facilities, reference, now);
        return (problems.Any ? null : figures, reason, problems);
    }

    /// <summary>The reason is checked before the entry is loaded; the merged figures once it is (see <see cref="Post"/>).</summary>
    public static ProblemDetails Validate(CorrectEffort command)
    {
        if (command is null) return Problems.NoBody(Title);
        var problems = new Problems();
        problems.RequireText("reason", command.Reason, 1000);
        return problems.Verdict(Title);
    }

    /// <summary>Correct a search-effort entry (If-Match: its ETag). The earlier figures stay in the entry's history.</summary>
    [WolverinePost("/api/effort/{id}/corrections", OperationId = "correctEffort")]
    public static (IResult, Events) Post(CorrectEffort command, [Change] EffortRecord entry, FacilityCatalog facilities, ReferenceData reference, Actor by,
        TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (figures, reason, problems) = Check(command, entry, facilities, reference, now);
        if (problems.Any) return (Results.Problem(problems.Invalid(Title)), new Events());
        return Decide(entry, figures!, reason!, by, now).Answer(entry);
    }
}

/// <summary>Void an effort entry (entered twice, wrong facility): it stops counting and stays in the history.</summary>
public sealed record VoidEffort(string? Reason);

public static class VoidEffortEndpoint
{
    public const string Title = "The search effort was not voided";

    public static Decision Decide(EffortRecord entry, string reason, Actor by, DateTimeOffset now) =>
        entry.Voided
            ? Decision.Refuse(Problems.Refused("effort", $"is already void ({entry.VoidReason})", Title))
            : Decision.Append(new EffortVoided(entry.Id, reason, by, now));

    public static ProblemDetails Validate(VoidEffort command)
    {
        if (command is null) return Problems.NoBody(Title);
        var problems = new Problems();
        problems.RequireText("reason", command.Reason, 1000);
        return problems.Verdict(Title);
    }

    /// <summary>Void a search-effort entry (If-Match: its ETag).</summary>
    [WolverinePost("/api/effort/{id}/void", OperationId = "voidEffort")]
    public static (IResult, Events) Post(VoidEffort command, [Change] EffortRecord entry, Actor by, TimeProvider time) =>
        Decide(entry, command.Reason!.Trim(), by, time.GetUtcNow()).Answer(entry);
}
