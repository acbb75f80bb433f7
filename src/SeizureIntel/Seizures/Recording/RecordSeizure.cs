using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Contracts;
using SeizureIntel.Facilities;
using SeizureIntel.Calendar;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.References;
using Wolverine.Http;
namespace SeizureIntel.Seizures.Recording;

/// <summary>
/// Record a seizure as the officer saw it. Every field is optional in the type so that a missing one is reported
/// by name, with the others, in one problem details answer.
/// </summary>
/// <param name="FacilityId">Facility code or alias, e.g. SIZO-1 or "No. 21".</param>
/// <param name="OccurredAt">ISO 8601 instant with its offset, e.g. 2015-03-14T10:30:00+06:00.</param>
/// <param name="Substance">Substance code from /api/reference/substances.</param>
/// <param name="Quantity">Value and unit as recorded.</param>
/// <param name="Detection">How it was found, from /api/reference/detection-methods.</param>
/// <param name="Notes">Free text; no personal names.</param>
/// <param name="Place">Where in the facility, from /api/reference/places (optional).</param>
/// <param name="Entry">Method of entry, from /api/reference/entry-methods (optional).</param>
/// <param name="Concealment">How it was hidden, from /api/reference/concealment-methods (optional).</param>
/// <param name="Possession">Whose possession, from /api/reference/possession (optional).</param>
/// <param name="Location">Where it was seized, WGS 84, when not (only) at a facility: a road checkpoint, a raid, a perimeter drop.</param>
/// <param name="CrossBorder">Set when the location lies outside Kyrgyzstan on purpose (seized across the border).</param>
/// <param name="HandlingCode">Europol-style handling code H0–H3 for partners (default H2: no further dissemination).</param>
/// <param name="Distribution">Who may see it: own-agency, named-partners or all-partners (the default).</param>
/// <param name="OperationId">The launched joint operation the seizure was made in: required with detection joint-operation, taken with no other.</param>
public sealed record RecordSeizure(
    string? FacilityId,
    string? OccurredAt,
    string? Substance,
    QuantityInput? Quantity,
    string? Detection,
    string? Notes,
    string? Place = null,
    string? Entry = null,
    string? Concealment = null,
    string? Possession = null,
    LocationInput? Location = null,
    bool? CrossBorder = null,
    string? HandlingCode = null,
    DistributionInput? Distribution = null,
    Guid? OperationId = null);

/// <param name="Scope">own-agency, named-partners or all-partners.</param>
/// <param name="Partners">The partners, for named-partners.</param>
public sealed record DistributionInput(string? Scope, List<string>? Partners);

public sealed record LocationInput(double? Lat, double? Lon);

/// <summary>A seizure's own point (WGS 84) and the oblast the boundary polygons put it in (null outside Kyrgyzstan).</summary>
public sealed record SeizureLocation(double Lat, double Lon, string? Oblast, bool CrossBorder);

public sealed record QuantityInput(decimal? Value, string? Unit);

/// <summary>How a seizure is classified beyond its substance and detection; every part optional.</summary>
public sealed record Circumstances(string? Place, string? Entry, string? Concealment, string? Possession)
{
    public static readonly Circumstances None = new(null, null, null, null);
}

/// <summary>The first event of every seizure stream.</summary>
public sealed record SeizureRecorded(
    Guid SeizureId,
    string Agency,
    string Reference,
    string? FacilityId,
    DateTimeOffset OccurredAt,
    DateOnly LocalDate,
    string TimeZone,
    string Substance,
    Quantity Quantity,
    string Detection,
    string? Notes,
    string RecordedBy,
    DateTimeOffset RecordedAt,
    bool Demo = false,
    Circumstances? Circumstances = null,
    SeizureLocation? Location = null,
    string? Oblast = null,
    string? HandlingCode = null,
    Distribution? Distribution = null,
    ImportedFrom? ImportedFrom = null) : ISeizureEvent;

/// <summary>
/// Where an imported seizure came from: its import, the file's SHA-256 and the line of the row; DateOnly when the file
/// gave a date without a time (the instant is then that date's local midnight).
/// </summary>
public sealed record ImportedFrom(Guid ImportId, string FileSha256, int Line, bool DateOnly);

/// <summary>Answer to a recorded seizure: 201 with a Location header.</summary>
public sealed record SeizureCreated(Guid Id, string Reference, long Version) : CreationResponse($"/api/seizures/{Id}");

/// <summary>A command that passed validation, with its facility resolved and its instant parsed.</summary>
public sealed record ValidSeizure(
    Facility? Facility,
    SeizureLocation? Location,
    DateTimeOffset OccurredAt,
    string Substance,
    Quantity Quantity,
    string Detection,
    string? Notes,
    Circumstances Circumstances,
    string HandlingCode,
    Distribution Distribution)
{
    /// <summary>The facility's zone; a seizure outside any facility takes the country's (Kyrgyzstan keeps one zone).</summary>
    public string TimeZone => Facility?.TimeZone ?? LocalCalendar.CountryTimeZone;

    public DateOnly LocalDate => LocalCalendar.LocalDate(OccurredAt, TimeZone);

    /// <summary>Where the seizure counts on the map: its own point's oblast, else its facility's stated oblast.</summary>
    public string? Oblast => Location is not null ? Location.Oblast : Facility?.Oblast;
}

public static class SeizureRules
{
    /// <summary>Checks every field; returns the valid seizure, or the problems by field name (JSON path).</summary>
    public static (ValidSeizure? Seizure, Problems Problems) Check(RecordSeizure command, SeizureFields fields, DateTimeOffset now)
    {
        var problems = new Problems();
        var location = fields.Location(problems, command.Location, command.CrossBorder ?? false);
        var facility = fields.Facility(problems, command.FacilityId, required: command.Location is null);
        var occurredAt = SeizureFields.Instant(problems, "occurredAt", command.OccurredAt, now, required: true);
        var substance = fields.Code(problems, "substance", ReferenceData.Substances, command.Substance, required: true);
        var quantity = fields.Quantity(problems, command.Quantity, required: true);
        var detection = fields.Code(problems, "detection", ReferenceData.DetectionMethods, command.Detection, required: true);
        SeizureFields.OperationOfRecording(problems, detection, command.OperationId);
        var notes = fields.Notes(problems, command.Notes);
        var circumstances = new Circumstances(
            fields.Code(problems, "place", ReferenceData.Places, command.Place, required: false),
            fields.Code(problems, "entry", ReferenceData.EntryMethods, command.Entry, required: false),
            fields.Code(problems, "concealment", ReferenceData.ConcealmentMethods, command.Concealment, required: false),
            fields.Code(problems, "possession", ReferenceData.Possession, command.Possession, required: false));
        var (handlingCode, distribution) = SeizureFields.Sharing(problems, command.HandlingCode, command.Distribution);

        return problems.Any
            ? (null, problems)
            : (new ValidSeizure(facility, location, occurredAt!.Value, substance!, quantity!, detection!, notes, circumstances,
                handlingCode, distribution), problems);
    }

    /// <summary>The event that starts the seizure's stream. Pure: everything it needs is passed in.</summary>
    public static SeizureRecorded Recorded(Guid id, ValidSeizure seizure, string reference, Actor actor, DateTimeOffset now, bool demo = false,
        ImportedFrom? importedFrom = null) =>
        new(id, actor.Agency, reference, seizure.Facility?.Code, seizure.OccurredAt.ToUniversalTime(), seizure.LocalDate,
            seizure.TimeZone, seizure.Substance, seizure.Quantity, seizure.Detection, seizure.Notes, actor.User, now, demo,
            seizure.Circumstances, seizure.Location, seizure.Oblast, seizure.HandlingCode, seizure.Distribution, importedFrom);

    public const string RefusedTitle = "The seizure was not recorded";
}

/// <summary>
/// What recording found before it records: the first answer of a retried request or a refusal (<see cref="Answer"/>),
/// else the joint operation that admitted the seizure (null: none named).
/// </summary>
public sealed record Recording(IResult? Answer, OperationAdmission? Operation);

/// <summary>The one way a new seizure enters a store: by the HTTP API and by the demo data alike.</summary>
public static class SeizureRecording
{
    /// <summary>
    /// Starts the seizure's stream in the session: its reference allocated in the same transaction (gapless per agency and
    /// local year), its first event, and its link to the operation that admitted it. Wolverine (or the caller) commits.
    /// </summary>
    public static async Task<SeizureRecorded> StartAsync(IDocumentSession session, ValidSeizure seizure, Actor by, DateTimeOffset now,
        CancellationToken token, OperationAdmission? operation = null, IOperationLinks? links = null, bool demo = false)
    {
        var recorded = (await StartManyAsync(session, [(seizure, null)], by, now, token, demo))[0];
        if (operation is not null) links!.Join(operation, recorded, session);
        return recorded;
    }

    /// <summary>
    /// Starts many seizures' streams in the session (a batch of an import): references reserved per agency and local year
    /// in one statement each, in the order given, in the same transaction. Wolverine (or the caller) commits.
    /// </summary>
    public static async Task<IReadOnlyList<SeizureRecorded>> StartManyAsync(IDocumentSession session,
        IReadOnlyList<(ValidSeizure Seizure, ImportedFrom? From)> seizures, Actor by, DateTimeOffset now, CancellationToken token, bool demo = false)
    {
        var recorded = await PrepareManyAsync(session, seizures, by, now, token, demo);
        foreach (var started in recorded) session.Events.StartStream<Seizure>(started.SeizureId, started);
        return recorded;
    }

    /// <summary>The first events of many seizures, their references reserved in the session's transaction, not yet appended.</summary>
    private static async Task<IReadOnlyList<SeizureRecorded>> PrepareManyAsync(IDocumentSession session,
        IReadOnlyList<(ValidSeizure Seizure, ImportedFrom? From)> seizures, Actor by, DateTimeOffset now, CancellationToken token, bool demo = false)
    {
        var next = new Dictionary<int, int>();
        foreach (var year in seizures.Select(s => s.Seizure.LocalDate.Year).Distinct().Order())
            next[year] = await ReferenceAllocator.ReserveAsync(session, by.Agency, year, seizures.Count(s => s.Seizure.LocalDate.Year == year), token);
        var recorded = new List<SeizureRecorded>(seizures.Count);
        foreach (var (seizure, from) in seizures)
        {
            var year = seizure.LocalDate.Year;
            var reference = ReferenceAllocator.Format(by.Agency, year, next[year]++);
            recorded.Add(SeizureRules.Recorded(Guid.CreateVersion7(now), seizure, reference, by, now, demo, from));
        }
        return recorded;
    }
}

public static class RecordSeizureEndpoint
{
    public static ProblemDetails Validate(RecordSeizure command, SeizureFields fields, TimeProvider time, Actor by)
    {
        if (command is null) return Problems.NoBody(SeizureRules.RefusedTitle);
        var (seizure, problems) = SeizureRules.Check(command, fields, time.GetUtcNow());
        // An officer records only at the facilities assigned to them.
        if (seizure is not null && !by.MayActAt(seizure.Facility?.Code))
            return new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = SeizureRules.RefusedTitle,
                Detail = $"{by.User} is not assigned to facility {seizure.Facility?.Code ?? "(none)"}.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["facilityId"] = ["you are not assigned to this facility"] } },
            };
        return problems.Verdict(SeizureRules.RefusedTitle);
    }

    /// <summary>
    /// A retry with the same Idempotency-Key gets the first answer again, and no second seizure; a seizure of a joint
    /// operation is refused (409) unless its operation is launched and this node's agency takes part.
    /// </summary>
    public static async Task<Recording> LoadAsync(RecordSeizure command, HttpContext context, NodeIdentity node, IOperationLinks links,
        IDocumentSession session, CancellationToken token)
    {
        if (await IdempotentPosts.ReplayAsync(context, node, command, session, token) is { } first) return new Recording(first, null);
        if (command.OperationId is not { } operationId) return new Recording(null, null);
        var (admission, refusal) = await links.AdmitAsync(operationId, node.Agency, SeizureRules.RefusedTitle, session, token);
        return new Recording(refusal is null ? null : Results.Problem(refusal), admission);
    }

    public static IResult Before(Recording recording) => recording.Answer ?? WolverineContinue.Result();

    /// <summary>Record a seizure: starts its event stream and answers 201 with its id, reference and version (also the ETag).</summary>
    [WolverinePost("/api/seizures", OperationId = "recordSeizure")]
    public static async Task<SeizureCreated> Post(RecordSeizure command, Recording recording, SeizureFields fields, NodeIdentity node, Actor by,
        IOperationLinks links, HttpContext context, IDocumentSession session, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var (seizure, _) = SeizureRules.Check(command, fields, now);
        var recorded = await SeizureRecording.StartAsync(session, seizure!, by, now, token, recording.Operation, links);
        var created = new SeizureCreated(recorded.SeizureId, recorded.Reference, 1);
        IdempotentPosts.Remember(context, node, command, created, session, now);
        context.Response.Headers.ETag = Versions.ETag(created.Version);
        return created;
    }
}
