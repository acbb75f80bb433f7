using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Node;
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
public sealed record RecordSeizure(
    string? FacilityId,
    string? OccurredAt,
    string? Substance,
    QuantityInput? Quantity,
    string? Detection,
    string? Notes);

public sealed record QuantityInput(decimal? Value, string? Unit);

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
    bool Demo = false);

/// <summary>Answer to a recorded seizure: 201 with a Location header.</summary>
public sealed record SeizureCreated(Guid Id, string Reference, long Version) : CreationResponse($"/api/seizures/{Id}");

/// <summary>A command that passed validation, with its facility resolved and its instant parsed.</summary>
public sealed record ValidSeizure(
    Facility Facility,
    DateTimeOffset OccurredAt,
    string Substance,
    Quantity Quantity,
    string Detection,
    string? Notes)
{
    public DateOnly LocalDate => Facility.LocalDateOf(OccurredAt);
}

public static class SeizureRules
{
    public const int MaxNotesLength = 4000;

    /// <summary>Clock skew tolerated before an instant counts as "in the future".</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Checks every field; returns the valid seizure, or the errors by field name (JSON path).</summary>
    public static (ValidSeizure? Seizure, Dictionary<string, string[]> Errors) Check(
        RecordSeizure command, FacilityCatalog facilities, ReferenceData reference, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string reason) => errors[field] = [reason];

        var facility = facilities.Resolve(command.FacilityId);
        if (string.IsNullOrWhiteSpace(command.FacilityId)) Fail("facilityId", "is required");
        else if (facility is null) Fail("facilityId", $"'{command.FacilityId}' is not a known facility code or alias (see /api/facilities)");

        DateTimeOffset occurredAt = default;
        if (string.IsNullOrWhiteSpace(command.OccurredAt)) Fail("occurredAt", "is required");
        else if (!TryParseInstant(command.OccurredAt, out occurredAt))
            Fail("occurredAt", "must be an ISO 8601 date-time with an offset or Z, e.g. 2015-03-14T10:30:00+06:00");
        else if (occurredAt > now + FutureTolerance) Fail("occurredAt", "is in the future");

        var substance = reference.Find(ReferenceData.Substances, command.Substance);
        if (string.IsNullOrWhiteSpace(command.Substance)) Fail("substance", "is required");
        else if (substance is null) Fail("substance", $"'{command.Substance}' is not a known substance code (see /api/reference/substances)");

        var unit = reference.Find(ReferenceData.Units, command.Quantity?.Unit);
        if (command.Quantity is null) Fail("quantity", "is required");
        else
        {
            if (command.Quantity.Value is null) Fail("quantity.value", "is required");
            else if (command.Quantity.Value <= 0) Fail("quantity.value", "must be greater than zero");
            if (string.IsNullOrWhiteSpace(command.Quantity.Unit)) Fail("quantity.unit", "is required");
            else if (unit is null) Fail("quantity.unit", $"'{command.Quantity.Unit}' is not a known unit (see /api/reference/units)");
        }

        var detection = reference.Find(ReferenceData.DetectionMethods, command.Detection);
        if (string.IsNullOrWhiteSpace(command.Detection)) Fail("detection", "is required");
        else if (detection is null) Fail("detection", $"'{command.Detection}' is not a known detection method (see /api/reference/detection-methods)");

        if (command.Notes is { Length: > MaxNotesLength }) Fail("notes", $"must be at most {MaxNotesLength} characters");

        if (errors.Count > 0) return (null, errors);
        return (new ValidSeizure(facility!, occurredAt, substance!.Code, new Quantity(command.Quantity!.Value!.Value, unit!.Code),
            detection!.Code, string.IsNullOrWhiteSpace(command.Notes) ? null : command.Notes.Trim()), errors);
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

    /// <summary>The event that starts the seizure's stream. Pure: everything it needs is passed in.</summary>
    public static SeizureRecorded Recorded(Guid id, ValidSeizure seizure, string reference, Actor actor, DateTimeOffset now, bool demo = false) =>
        new(id, actor.Agency, reference, seizure.Facility.Code, seizure.OccurredAt.ToUniversalTime(), seizure.LocalDate,
            seizure.Facility.TimeZone, seizure.Substance, seizure.Quantity, seizure.Detection, seizure.Notes, actor.User, now, demo);

    public static ValidationProblemDetails Problem(Dictionary<string, string[]> errors) =>
        new(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The seizure was not recorded",
            Detail = "One or more fields are missing or invalid; nothing was written.",
        };
}

public static class RecordSeizureEndpoint
{
    public static ProblemDetails Validate(RecordSeizure command, FacilityCatalog facilities, ReferenceData reference, TimeProvider time)
    {
        var (_, errors) = SeizureRules.Check(command, facilities, reference, time.GetUtcNow());
        return errors.Count == 0 ? WolverineContinue.NoProblems : SeizureRules.Problem(errors);
    }

    /// <summary>Allocates the reference inside the transaction that will append the event.</summary>
    public static async Task<AllocatedReference> LoadAsync(
        RecordSeizure command, FacilityCatalog facilities, NodeIdentity node, IDocumentSession session, CancellationToken token)
    {
        var facility = facilities.Resolve(command.FacilityId)!;
        SeizureRules.TryParseInstant(command.OccurredAt!, out var occurredAt);
        var reference = await ReferenceAllocator.NextAsync(session, node.Agency, facility.LocalDateOf(occurredAt).Year, token);
        return new AllocatedReference(reference);
    }

    /// <summary>Record a seizure: starts its event stream and answers 201 with its id, reference and version.</summary>
    [WolverinePost("/api/seizures", OperationId = "recordSeizure")]
    public static (SeizureCreated, IStartStream) Post(
        RecordSeizure command, AllocatedReference reference, FacilityCatalog facilities, ReferenceData vocabularies,
        NodeIdentity node, HttpContext context, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (seizure, _) = SeizureRules.Check(command, facilities, vocabularies, now);
        var id = Guid.CreateVersion7(now);
        var recorded = SeizureRules.Recorded(id, seizure!, reference.Value, Actor.From(context, node), now);
        return (new SeizureCreated(id, reference.Value, 1), MartenOps.StartStream<Seizure>(id, recorded));
    }
}

public sealed record AllocatedReference(string Value);
