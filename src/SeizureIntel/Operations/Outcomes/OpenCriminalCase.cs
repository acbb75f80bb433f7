using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Outcomes;

/// <summary>A criminal case opened from the operation: its number and the participating agency that opened it.</summary>
/// <param name="CaseNumber">The case number as the agency registered it.</param>
/// <param name="Agency">The participating agency that opened it (SSEP, SSDC or MVD).</param>
/// <param name="OpenedOn">The date it was opened, e.g. 2015-05-20 (optional).</param>
public sealed record OpenCriminalCase(string? CaseNumber, string? Agency, string? OpenedOn = null);

public sealed record ValidCase(string CaseNumber, string Agency, DateOnly? OpenedOn);

public static class OpenCriminalCaseEndpoint
{
    public const string Title = "The criminal case was not recorded";

    public static (ValidCase? Case, Problems Problems) Check(OpenCriminalCase command, DateTimeOffset now)
    {
        var problems = new Problems();
        var number = problems.RequireText("caseNumber", command.CaseNumber, 100);
        var agency = problems.Agency("agency", command.Agency);
        var openedOn = OperationFields.Date(problems, "openedOn", command.OpenedOn, now);
        return (problems.Any ? null : new ValidCase(number!, agency!, openedOn), problems);
    }

    public static ProblemDetails Validate(OpenCriminalCase command, TimeProvider time)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(command, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Pure: a participant opens a case in a running operation; the same agency's case number is recorded once.</summary>
    public static Decision Decide(JointOperation operation, ValidCase c, Actor by, DateTimeOffset now)
    {
        if (OperationRules.RefuseUnlessLaunched(operation, Title) is { } refused) return refused;
        if (!operation.Agencies.Contains(c.Agency))
            return OperationRules.Refuse("agency", $"{c.Agency} does not take part (participants: {string.Join(", ", operation.Agencies)})", Title);
        if (operation.Cases.Any(k => k.Agency == c.Agency && string.Equals(k.CaseNumber, c.CaseNumber, StringComparison.OrdinalIgnoreCase)))
            return OperationRules.Refuse("caseNumber", $"{c.Agency} case {c.CaseNumber} is already recorded", Title);
        return Decision.Append(new CriminalCaseOpened(operation.Id, c.CaseNumber, c.Agency, c.OpenedOn, by, now));
    }

    /// <summary>Record a criminal case opened from a launched joint operation. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/cases", OperationId = "openJointOperationCase")]
    public static (IResult, Events) Post(OpenCriminalCase command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (c, _) = Check(command, now);
        return Decide(operation, c!, by, now).Answer(operation);
    }
}
