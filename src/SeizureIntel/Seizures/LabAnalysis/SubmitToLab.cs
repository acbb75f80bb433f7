using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.LabAnalysis;

/// <summary>Hand the evidence to a forensic laboratory (e.g. the State Forensics Centre) under its case number.</summary>
public sealed record SubmitToLab(string? Lab, string? LabCaseNumber, string? SubmittedAt);

/// <summary>The evidence went to a lab, which becomes its custodian.</summary>
public sealed record EvidenceSubmittedToLab(Guid SeizureId, string Lab, string LabCaseNumber, DateTimeOffset SubmittedAt, Actor By, DateTimeOffset At)
    : ISeizureEvent, IAttributedEvent;

public static class SubmitToLabEndpoint
{
    public const string Title = "The evidence was not submitted to the lab";

    public static (DateTimeOffset? SubmittedAt, Problems Problems) Check(SubmitToLab command, DateTimeOffset now)
    {
        var problems = new Problems();
        problems.RequireText("lab", command.Lab, 200);
        problems.RequireText("labCaseNumber", command.LabCaseNumber, 100);
        var at = SeizureFields.Instant(problems, "submittedAt", command.SubmittedAt, now, required: true);
        return (at, problems);
    }

    public static ProblemDetails Validate(SubmitToLab command, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    public static Decision Decide(Seizure seizure, SubmitToLab command, DateTimeOffset submittedAt, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.Destroyed) return Decision.Refuse(Problems.Refused("seizure", "the evidence was destroyed", Title));
        var caseNumber = command.LabCaseNumber!.Trim();
        if (seizure.LabSubmissions.Any(s => s.LabCaseNumber == caseNumber))
            return Decision.Refuse(Problems.Refused("labCaseNumber", $"{caseNumber} was already submitted", Title));
        return Decision.Append(new EvidenceSubmittedToLab(seizure.Id, command.Lab!.Trim(), caseNumber, submittedAt.ToUniversalTime(), by, now));
    }

    /// <summary>Submit the evidence to a lab. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/lab-submissions", OperationId = "submitToLab")]
    public static (IResult, Events) Post(SubmitToLab command, [Change] Seizure seizure, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (at, _) = Check(command, now);
        return Decide(seizure, command, at!.Value, by, now).Answer(seizure);
    }
}
