using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>Record screening work at a facility on one local day (date) or in one local month (month).</summary>
/// <param name="FacilityId">Facility code or alias, e.g. SIZO-1.</param>
/// <param name="Kind">An effort kind (GET /api/reference/effort-kinds): parcels-xrayed, visitors-searched, cell-searches, staff-searches, dog-team-hours.</param>
/// <param name="Date">yyyy-MM-dd: the work of one local day. Give this or month.</param>
/// <param name="Month">yyyy-MM: the work of one local month. Give this or date.</param>
/// <param name="Amount">Screenings done (whole), or hours for dog teams.</param>
/// <param name="Notes">Free text.</param>
public sealed record RecordEffort(string? FacilityId, string? Kind, string? Date, string? Month, decimal? Amount, string? Notes = null);

/// <summary>Answer to recorded effort: 201 with a Location header; the version is also the ETag.</summary>
public sealed record EffortCreated(Guid Id, long Version) : CreationResponse($"/api/effort/{Id}");

public static class RecordEffortEndpoint
{
    public const string Title = "The search effort was not recorded";

    public static (EffortFigures? Figures, string? Notes, Problems Problems) Check(RecordEffort command, string prefix, FacilityCatalog facilities,
        ReferenceData reference, DateTimeOffset now)
    {
        var problems = new Problems();
        var figures = EffortFields.Check(problems, prefix, command.FacilityId, command.Kind, command.Date, command.Month, command.Amount, facilities, reference, now);
        var notes = EffortFields.OptionalText(problems, prefix + "notes", command.Notes, 4000);
        return (problems.Any ? null : figures, notes, problems);
    }

    /// <summary>Pure: the event that starts the entry's stream.</summary>
    public static EffortRecorded Decide(Guid id, EffortFigures figures, string? notes, Actor by, DateTimeOffset now) => new(id, figures, notes, by, now);

    public static ProblemDetails Validate(RecordEffort command, FacilityCatalog facilities, ReferenceData reference, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        return Check(command, "", facilities, reference, time.GetUtcNow()).Problems.Verdict(Title);
    }

    /// <summary>Record search effort: starts the entry's event stream; 201 with its id and version (also the ETag).</summary>
    [WolverinePost("/api/effort", OperationId = "recordEffort")]
    public static (EffortCreated, IStartStream) Post(RecordEffort command, FacilityCatalog facilities, ReferenceData reference, Actor by,
        HttpContext context, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (figures, notes, _) = Check(command, "", facilities, reference, now);
        var id = Guid.CreateVersion7(now);
        context.Response.Headers.ETag = Versions.ETag(1);
        return (new EffortCreated(id, 1), MartenOps.StartStream<EffortRecord>(id, Decide(id, figures!, notes, by, now)));
    }
}

/// <summary>Many effort entries at once (a month's log from a facility): all are checked first; one bad entry and none is recorded.</summary>
public sealed record ImportEffort(List<RecordEffort>? Entries);

public sealed record EffortImported(IReadOnlyList<Guid> Ids);

public static class ImportEffortEndpoint
{
    public const string Title = "The search effort was not imported";
    public const int MaxEntries = 5000;

    public static ProblemDetails Validate(ImportEffort command, FacilityCatalog facilities, ReferenceData reference, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        if (command.Entries is not { Count: > 0 }) return Problems.Invalid("entries", "give at least one entry", Title);
        if (command.Entries.Count > MaxEntries) return Problems.Invalid("entries", $"at most {MaxEntries} entries at once", Title);
        var all = new Problems();
        var now = time.GetUtcNow();
        for (var i = 0; i < command.Entries.Count; i++)
        {
            if (command.Entries[i] is not { } entry) { all.Fail($"entries[{i}]", "is null"); continue; }
            foreach (var (field, reasons) in Check(entry, i, facilities, reference, now).Errors) all.Errors[field] = reasons;
        }
        return all.Verdict(Title);
    }

    private static Problems Check(RecordEffort entry, int i, FacilityCatalog facilities, ReferenceData reference, DateTimeOffset now) =>
        RecordEffortEndpoint.Check(entry, $"entries[{i}].", facilities, reference, now).Problems;

    /// <summary>Import effort entries in bulk: one stream per entry, all in one transaction; 201 with their ids in order.</summary>
    [WolverinePost("/api/effort/import", OperationId = "importEffort")]
    public static IResult Post(ImportEffort command, FacilityCatalog facilities, ReferenceData reference, Actor by, IDocumentSession session, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var ids = new List<Guid>();
        foreach (var entry in command.Entries!)
        {
            var (figures, notes, _) = RecordEffortEndpoint.Check(entry, "", facilities, reference, now);
            var id = Guid.CreateVersion7(now);
            session.Events.StartStream<EffortRecord>(id, RecordEffortEndpoint.Decide(id, figures!, notes, by, now));
            ids.Add(id);
        }
        return Results.Created("/api/effort", new EffortImported(ids));
    }
}
