using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Node;
using SeizureIntel.Operations.Linking;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.References;
using Wolverine.Http;
using Wolverine.Marten;

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
    Guid? OperationId = null);

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
    string FacilityId,
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
    Circumstances? Circumstances = null) : ISeizureEvent;

/// <summary>Answer to a recorded seizure: 201 with a Location header.</summary>
public sealed record SeizureCreated(Guid Id, string Reference, long Version) : CreationResponse($"/api/seizures/{Id}");

/// <summary>A command that passed validation, with its facility resolved and its instant parsed.</summary>
public sealed record ValidSeizure(
    Facility Facility,
    DateTimeOffset OccurredAt,
    string Substance,
    Quantity Quantity,
    string Detection,
    string? Notes,
    Circumstances Circumstances)
{
    public DateOnly LocalDate => Facility.LocalDateOf(OccurredAt);
}

/// <summary>Checks of single fields, shared by recording and correcting a seizure.</summary>
public sealed class SeizureFields(FacilityCatalog facilities, ReferenceData reference)
{
    public const int MaxNotesLength = 4000;

    /// <summary>Clock skew tolerated before an instant counts as "in the future".</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public Facility? Facility(Problems problems, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail("facilityId", "is required");
            return null;
        }
        var facility = facilities.Resolve(value);
        if (facility is null) problems.Fail("facilityId", $"'{value}' is not a known facility code or alias (see /api/facilities)");
        return facility;
    }

    public static DateTimeOffset? Instant(Problems problems, string field, string? value, DateTimeOffset now, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        if (!TryParseInstant(value, out var instant))
            problems.Fail(field, "must be an ISO 8601 date-time with an offset or Z, e.g. 2015-03-14T10:30:00+06:00");
        else if (instant > now + FutureTolerance) problems.Fail(field, "is in the future");
        else return instant;
        return null;
    }

    public string? Code(Problems problems, string field, string vocabulary, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        var term = reference.Find(vocabulary, value);
        if (term is null) problems.Fail(field, $"'{value}' is not a known code (see /api/reference/{vocabulary})");
        return term?.Code;
    }

    public Quantity? Quantity(Problems problems, QuantityInput? value, bool required)
    {
        if (value is null)
        {
            if (required) problems.Fail("quantity", "is required");
            return null;
        }
        if (value.Value is null) problems.Fail("quantity.value", "is required");
        else if (value.Value <= 0) problems.Fail("quantity.value", "must be greater than zero");
        var unit = Code(problems, "quantity.unit", ReferenceData.Units, value.Unit, required: true);
        return value.Value > 0 && unit is not null ? new Quantity(value.Value.Value, unit) : null;
    }

    public string? Notes(Problems problems, string? value)
    {
        if (value is { Length: > MaxNotesLength }) problems.Fail("notes", $"must be at most {MaxNotesLength} characters");
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>An instant must carry its offset: a bare local time is ambiguous between the facility and the server.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        instant = default;
        var trimmed = text.Trim();
        var hasOffset = trimmed.EndsWith('Z') || trimmed.EndsWith('z') ||
                        (trimmed.Length > 6 && trimmed[^6] is '+' or '-' && trimmed[^3] == ':');
        return hasOffset && trimmed.Contains('T', StringComparison.OrdinalIgnoreCase) &&
               DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }
}

public static class SeizureRules
{
    /// <summary>Checks every field; returns the valid seizure, or the problems by field name (JSON path).</summary>
    public static (ValidSeizure? Seizure, Problems Problems) Check(RecordSeizure command, SeizureFields fields, DateTimeOffset now)
    {
        var problems = new Problems();
        var facility = fields.Facility(problems, command.FacilityId, required: true);
        var occurredAt = SeizureFields.Instant(problems, "occurredAt", command.OccurredAt, now, required: true);
        var substance = fields.Code(problems, "substance", ReferenceData.Substances, command.Substance, required: true);
        var quantity = fields.Quantity(problems, command.Quantity, required: true);
        var detection = fields.Code(problems, "detection", ReferenceData.DetectionMethods, command.Detection, required: true);
        RecordingInOperation.CheckField(problems, detection, command.OperationId);
        var notes = fields.Notes(problems, command.Notes);
        var circumstances = new Circumstances(
            fields.Code(problems, "place", ReferenceData.Places, command.Place, required: false),
            fields.Code(problems, "entry", ReferenceData.EntryMethods, command.Entry, required: false),
            fields.Code(problems, "concealment", ReferenceData.ConcealmentMethods, command.Concealment, required: false),
            fields.Code(problems, "possession", ReferenceData.Possession, command.Possession, required: false));

        return problems.Any
            ? (null, problems)
            : (new ValidSeizure(facility!, occurredAt!.Value, substance!, quantity!, detection!, notes, circumstances), problems);
    }

    /// <summary>The event that starts the seizure's stream. Pure: everything it needs is passed in.</summary>
    public static SeizureRecorded Recorded(Guid id, ValidSeizure seizure, string reference, Actor actor, DateTimeOffset now, bool demo = false) =>
        new(id, actor.Agency, reference, seizure.Facility.Code, seizure.OccurredAt.ToUniversalTime(), seizure.LocalDate,
            seizure.Facility.TimeZone, seizure.Substance, seizure.Quantity, seizure.Detection, seizure.Notes, actor.User, now, demo,
            seizure.Circumstances);

    public const string RefusedTitle = "The seizure was not recorded";
}

public static class RecordSeizureEndpoint
{
    public static ProblemDetails Validate(RecordSeizure command, SeizureFields fields, TimeProvider time)
    {
        var (_, problems) = SeizureRules.Check(command, fields, time.GetUtcNow());
        return problems.Any ? problems.Invalid(SeizureRules.RefusedTitle) : WolverineContinue.NoProblems;
    }

    /// <summary>
    /// A retry with the same Idempotency-Key gets the first answer again, and no second seizure; a seizure of a joint
    /// operation is refused (409) unless its operation is launched and this node's agency takes part.
    /// </summary>
    public static async Task<IResult> BeforeAsync(RecordSeizure command, HttpContext context, NodeIdentity node,
        IDocumentSession session, CancellationToken token) =>
        await IdempotentPosts.ReplayAsync(context, node, command, session, token)
        ?? await RecordingInOperation.RefuseAsync(command, node, session, context, token)
        ?? WolverineContinue.Result();

    /// <summary>Allocates the reference inside the transaction that will append the event.</summary>
    public static async Task<AllocatedReference> LoadAsync(
        RecordSeizure command, FacilityCatalog facilities, NodeIdentity node, IDocumentSession session, CancellationToken token)
    {
        var facility = facilities.Resolve(command.FacilityId)!;
        SeizureFields.TryParseInstant(command.OccurredAt!, out var occurredAt);
        var reference = await ReferenceAllocator.NextAsync(session, node.Agency, facility.LocalDateOf(occurredAt).Year, token);
        return new AllocatedReference(reference);
    }

    /// <summary>Record a seizure: starts its event stream and answers 201 with its id, reference and version.</summary>
    [WolverinePost("/api/seizures", OperationId = "recordSeizure")]
    public static (SeizureCreated, IStartStream) Post(
        RecordSeizure command, AllocatedReference reference, SeizureFields fields, NodeIdentity node, HttpContext context,
        IDocumentSession session, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (seizure, _) = SeizureRules.Check(command, fields, now);
        var id = Guid.CreateVersion7(now);
        var recorded = SeizureRules.Recorded(id, seizure!, reference.Value, Actor.From(context, node), now);
        var created = new SeizureCreated(id, reference.Value, 1);
        IdempotentPosts.Remember(context, node, command, created, session, now);
        RecordingInOperation.Link(session, context, recorded);
        context.Response.Headers.ETag = SeizureVersions.ETag(1);
        return (created, MartenOps.StartStream<Seizure>(id, recorded));
    }
}

public sealed record AllocatedReference(string Value);
