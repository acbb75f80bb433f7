using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Operations.Outcomes;

/// <summary>Arrests made in the operation: how many, on which charges (e.g. "Art. 283 Criminal Code"); no names.</summary>
public sealed record RecordArrests(int? Count, List<string>? Charges, string? Notes = null);

public sealed record ValidArrests(int Count, IReadOnlyList<string> Charges, string? Notes);

public static class RecordArrestsEndpoint
{
    public const string Title = "The arrests were not recorded";
    public const int MaxCount = 10_000;

    public static (ValidArrests? Arrests, Problems Problems) Check(RecordArrests command)
    {
        var problems = new Problems();
        if (command.Count is null) problems.Fail("count", "is required");
        else if (command.Count is < 1 or > MaxCount) problems.Fail("count", $"must be between 1 and {MaxCount}");
        var charges = Bounds.Texts(problems, "charges", command.Charges, required: true, "name at least one charge") ?? [];
        var notes = OperationFields.OptionalText(problems, "notes", command.Notes, 4000);
        return (problems.Any ? null : new ValidArrests(command.Count!.Value, charges, notes), problems);
    }

    public static ProblemDetails Validate(RecordArrests command)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(command);
        return problems.Verdict(Title);
    }

    /// <summary>Pure: arrests belong to a running operation.</summary>
    public static Decision Decide(JointOperation operation, ValidArrests arrests, Actor by, DateTimeOffset now) =>
        OperationRules.RefuseUnlessLaunched(operation, Title)
        ?? Decision.Append(new ArrestsRecorded(operation.Id, arrests.Count, arrests.Charges, arrests.Notes, by, now));

    /// <summary>Record arrests made in a launched joint operation. Requires If-Match with the operation's ETag.</summary>
    [WolverinePost("/api/operations/{id}/arrests", OperationId = "recordJointOperationArrests")]
    public static (IResult, Events) Post(RecordArrests command, [Change(Exclusive = true)] JointOperation operation, Actor by, TimeProvider time)
    {
        var (arrests, _) = Check(command);
        return Decide(operation, arrests!, by, time.GetUtcNow()).Answer(operation);
    }
}
