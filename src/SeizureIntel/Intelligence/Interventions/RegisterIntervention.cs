using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Intelligence.Interventions;

/// <summary>Register an intervention.</summary>
/// <param name="Kind">An intervention kind (GET /api/reference/intervention-kinds), e.g. xray-scanner.</param>
/// <param name="Facilities">Facility codes or aliases where it was introduced.</param>
/// <param name="StartedOn">yyyy-MM-dd, the local date it started.</param>
/// <param name="Description">What was done, e.g. "X-ray scanner for parcels at the reception of SIZO-1".</param>
/// <param name="CoInterventions">What else started at the same time (free text or ids of registered interventions).</param>
public sealed record RegisterIntervention(string? Kind, List<string>? Facilities, string? StartedOn, string? Description, List<string>? CoInterventions = null);

public sealed record ValidIntervention(string Kind, IReadOnlyList<string> Facilities, DateOnly StartedOn, string Description, IReadOnlyList<string> CoInterventions);

/// <summary>Answer to a registered intervention: 201 with a Location header.</summary>
public sealed record InterventionCreated(Guid Id, long Version) : CreationResponse($"/api/interventions/{Id}");

public static class RegisterInterventionEndpoint
{
    public const string Title = "The intervention was not registered";

    public static (ValidIntervention? Intervention, Problems Problems) Check(RegisterIntervention command, FacilityCatalog facilities, ReferenceData reference,
        DateTimeOffset now)
    {
        var problems = new Problems();
        Term? kind = null;
        if (string.IsNullOrWhiteSpace(command.Kind)) problems.Fail("kind", $"is required (see GET /api/reference/{ReferenceData.InterventionKinds})");
        else if ((kind = reference.Find(ReferenceData.InterventionKinds, command.Kind)) is null)
            problems.Fail("kind", $"'{command.Kind}' is not a known kind of intervention (see GET /api/reference/{ReferenceData.InterventionKinds})");

        var codes = new List<string>();
        if (command.Facilities is not { Count: > 0 }) problems.Fail("facilities", "name at least one facility");
        else
            for (var i = 0; i < command.Facilities.Count; i++)
                if (facilities.Resolve(command.Facilities[i]) is { } f) { if (!codes.Contains(f.Code)) codes.Add(f.Code); }
                else problems.Fail($"facilities[{i}]", $"'{command.Facilities[i]}' is not a known facility code or alias (see GET /api/facilities)");

        DateOnly started = default;
        if (string.IsNullOrWhiteSpace(command.StartedOn)) problems.Fail("startedOn", "is required (yyyy-MM-dd, the local date it started)");
        else if (!DateOnly.TryParseExact(command.StartedOn.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out started))
            problems.Fail("startedOn", "must be a date yyyy-MM-dd");
        else if (started.Year < 1990) problems.Fail("startedOn", "must be in 1990 or later");
        else if (started > Calendar.LocalCalendar.LocalDate(now).AddYears(1)) problems.Fail("startedOn", "may be at most a year ahead (a planned start)");

        var description = problems.RequireText("description", command.Description, 4000);
        var co = new List<string>();
        for (var i = 0; i < (command.CoInterventions?.Count ?? 0); i++)
            if (problems.RequireText($"coInterventions[{i}]", command.CoInterventions![i], 1000) is { } text) co.Add(text);

        return problems.Any ? (null, problems) : (new ValidIntervention(kind!.Code, codes, started, description!, co), problems);
    }

    public static InterventionRegistered Decide(Guid id, ValidIntervention v, Actor by, DateTimeOffset now) =>
        new(id, v.Kind, v.Facilities, v.StartedOn, v.Description, v.CoInterventions, by, now);

    public static ProblemDetails Validate(RegisterIntervention command, FacilityCatalog facilities, ReferenceData reference, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        return Check(command, facilities, reference, time.GetUtcNow()).Problems.Verdict(Title);
    }

    /// <summary>Register an intervention (e.g. an X-ray scanner at SIZO-1 from 2016-04-01): 201 with its id.</summary>
    [WolverinePost("/api/interventions", OperationId = "registerIntervention")]
    public static (InterventionCreated, IStartStream) Post(RegisterIntervention command, FacilityCatalog facilities, ReferenceData reference, Actor by,
        HttpContext context, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (valid, _) = Check(command, facilities, reference, now);
        var id = Guid.CreateVersion7(now);
        context.Response.Headers.ETag = Versions.ETag(1);
        return (new InterventionCreated(id, 1), MartenOps.StartStream<Intervention>(id, Decide(id, valid!, by, now)));
    }
}
