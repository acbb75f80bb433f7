using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Seizures.Corrections;

/// <summary>
/// Correct how a seizure may be shared: its handling code, its distribution, or both, with a reason. Narrowing them
/// withdraws the record from every partner that held it and may no longer (a SeizureWithdrawn goes to each: their
/// figures stop counting it); widening them shares it again.
/// </summary>
/// <param name="Reason">Why the sharing is corrected (required).</param>
/// <param name="HandlingCode">The new handling code H0–H3 (omitted: unchanged).</param>
/// <param name="Distribution">The new distribution: own-agency, named-partners (with partners) or all-partners (omitted: unchanged).</param>
public sealed record CorrectSharing(string? Reason, string? HandlingCode = null, DistributionInput? Distribution = null);

/// <summary>How a seizure may be shared was corrected: the new handling code and distribution (both whole), what changed, why and who.</summary>
public sealed record SeizureSharingCorrected(
    Guid SeizureId,
    string HandlingCode,
    Distribution Distribution,
    IReadOnlyList<FieldChange> Changes,
    string Reason,
    Actor By,
    DateTimeOffset At) : ISeizureEvent, IAttributedEvent;

/// <summary>The correction's fields, checked: null for what stays as it is.</summary>
public sealed record ValidSharingCorrection(string Reason, string? HandlingCode, Distribution? Distribution);

public static class CorrectSharingEndpoint
{
    public const string Title = "The seizure's sharing was not corrected";

    public static (ValidSharingCorrection? Correction, Problems Problems) Check(CorrectSharing? command)
    {
        var problems = new Problems();
        if (command is null)
        {
            problems.Fail("body", "is missing");
            return (null, problems);
        }
        var reason = problems.RequireText("reason", command.Reason);
        var (code, distribution) = SeizureFields.Sharing(problems, command.HandlingCode, command.Distribution);
        if (command.HandlingCode is null && command.Distribution is null)
            problems.Fail("fields", "name handlingCode or distribution to correct");
        return problems.Any
            ? (null, problems)
            : (new ValidSharingCorrection(reason!, command.HandlingCode is null ? null : code, command.Distribution is null ? null : distribution), problems);
    }

    public static string Show(Distribution d) => d.Scope == Distribution.NamedPartners ? $"{d.Scope}: {string.Join(", ", d.Partners)}" : d.Scope;

    /// <summary>Pure: the event when the handling code or the distribution really changes; nothing to do otherwise (409).</summary>
    public static Decision Decide(Seizure seizure, ValidSharingCorrection c, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        var changes = new List<FieldChange>();
        var code = c.HandlingCode ?? seizure.HandlingCode;
        if (code != seizure.HandlingCode) changes.Add(new FieldChange("handlingCode", seizure.HandlingCode, code));
        var distribution = c.Distribution ?? seizure.Distribution;
        if (Show(distribution) != Show(seizure.Distribution))
            changes.Add(new FieldChange("distribution", Show(seizure.Distribution), Show(distribution)));
        if (changes.Count == 0)
            return Decision.Refuse(Problems.Refused("fields", $"{seizure.Reference} is already shared under {code}, {Show(distribution)}", Title));
        return Decision.Append(new SeizureSharingCorrected(seizure.Id, code, distribution, changes, c.Reason, by, now));
    }

    public static ProblemDetails Validate(CorrectSharing command) => Check(command).Problems.Verdict(Title);

    /// <summary>Correct a seizure's handling code and/or distribution, with a reason. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/sharing", OperationId = "correctSeizureSharing")]
    public static (IResult, Events) Post(CorrectSharing command, [Change] Seizure seizure, Actor by, TimeProvider time) =>
        Decide(seizure, Check(command).Correction!, by, time.GetUtcNow()).Answer(seizure);
}
