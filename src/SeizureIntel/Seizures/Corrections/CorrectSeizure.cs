using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Node;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
using Wolverine.Http;

namespace SeizureIntel.Seizures.Corrections;

/// <summary>
/// Correct a recorded seizure: name only the fields that were wrong, and why. The record is never edited: the
/// correction is a new event that keeps both the old and the new value. Notes "" clears the notes.
/// </summary>
public sealed record CorrectSeizure(
    string? Reason,
    string? FacilityId = null,
    string? OccurredAt = null,
    string? Substance = null,
    QuantityInput? Quantity = null,
    string? Detection = null,
    string? Notes = null,
    string? Place = null,
    string? Entry = null,
    string? Concealment = null,
    string? Possession = null,
    LocationInput? Location = null,
    bool? CrossBorder = null);

public sealed record FieldChange(string Field, string? From, string? To);

/// <summary>
/// A correction: new values of the changed fields only (null: unchanged), the changes as read, why and who. Notes ""
/// clears the notes; Oblast "" means the seizure no longer has a known oblast.
/// </summary>
public sealed record SeizureCorrected(
    Guid SeizureId,
    IReadOnlyList<FieldChange> Changes,
    string Reason,
    Actor By,
    DateTimeOffset At,
    string? FacilityId = null,
    string? TimeZone = null,
    DateTimeOffset? OccurredAt = null,
    DateOnly? LocalDate = null,
    string? Substance = null,
    Quantity? Quantity = null,
    string? Detection = null,
    string? Notes = null,
    string? Place = null,
    string? Entry = null,
    string? Concealment = null,
    string? Possession = null,
    SeizureLocation? Location = null,
    string? Oblast = null) : ISeizureEvent, IAttributedEvent;

/// <summary>The correction's fields, checked and resolved.</summary>
public sealed record ValidCorrection(
    string Reason, Facility? Facility, DateTimeOffset? OccurredAt, string? Substance, Quantity? Quantity, string? Detection,
    string? Notes, string? Place, string? Entry, string? Concealment, string? Possession, SeizureLocation? Location = null);

public static class CorrectSeizureEndpoint
{
    public const string Title = "The seizure was not corrected";

    public static (ValidCorrection? Correction, Problems Problems) Check(CorrectSeizure command, SeizureFields fields, DateTimeOffset now)
    {
        var problems = new Problems();
        var reason = problems.RequireText("reason", command.Reason);
        var correction = new ValidCorrection(
            reason ?? "",
            fields.Facility(problems, command.FacilityId, required: false),
            SeizureFields.Instant(problems, "occurredAt", command.OccurredAt, now, required: false),
            fields.Code(problems, "substance", ReferenceData.Substances, command.Substance, required: false),
            fields.Quantity(problems, command.Quantity, required: false),
            fields.Code(problems, "detection", ReferenceData.DetectionMethods, command.Detection, required: false),
            command.Notes is null ? null : fields.Notes(problems, command.Notes) ?? "",
            fields.Code(problems, "place", ReferenceData.Places, command.Place, required: false),
            fields.Code(problems, "entry", ReferenceData.EntryMethods, command.Entry, required: false),
            fields.Code(problems, "concealment", ReferenceData.ConcealmentMethods, command.Concealment, required: false),
            fields.Code(problems, "possession", ReferenceData.Possession, command.Possession, required: false),
            fields.Location(problems, command.Location, command.CrossBorder ?? false));
        if (!problems.Any && correction with { Reason = "" } == new ValidCorrection("", null, null, null, null, null, null, null, null, null, null))
            problems.Fail("fields", "name at least one field to correct");
        return (problems.Any ? null : correction, problems);
    }

    /// <summary>Pure: the event for the fields that really change, or a refusal.</summary>
    public static Decision Decide(Seizure seizure, ValidCorrection c, Actor by, DateTimeOffset now)
    {
        if (Decision.RefuseIfVoided(seizure, Title) is { } refused) return refused;

        var changes = new List<FieldChange>();
        T? Change<T>(string field, T? current, T? proposed, Func<T, string?> show) where T : class
        {
            if (proposed is null || Equals(proposed, current)) return null;
            changes.Add(new FieldChange(field, current is null ? null : show(current), show(proposed)));
            return proposed;
        }

        var facility = c.Facility is { } f && f.Code != seizure.FacilityId ? f : null;
        if (facility is not null) changes.Add(new FieldChange("facilityId", seizure.FacilityId, facility.Code));
        var location = Change("location", seizure.Location, c.Location, l => $"{l.Lat}, {l.Lon}{(l.CrossBorder ? " (cross-border)" : "")}");
        // The oblast follows the seizure's own point, else its facility's stated oblast.
        var oblastNow = (location ?? seizure.Location) is { } point ? point.Oblast : facility is not null ? facility.Oblast : seizure.Oblast;
        string? oblast = null;
        if (oblastNow != seizure.Oblast)
        {
            oblast = oblastNow ?? "";
            changes.Add(new FieldChange("oblast", seizure.Oblast, oblastNow));
        }
        var occurredAt = c.OccurredAt is { } o && o.ToUniversalTime() != seizure.OccurredAt ? o.ToUniversalTime() : (DateTimeOffset?)null;
        if (occurredAt is not null) changes.Add(new FieldChange("occurredAt", seizure.OccurredAt.ToString("O"), occurredAt.Value.ToString("O")));
        var substance = Change("substance", seizure.Substance, c.Substance, s => s);
        var quantity = Change("quantity", seizure.Quantity, c.Quantity, q => $"{q.Value} {q.Unit}");
        var detection = Change("detection", seizure.Detection, c.Detection, s => s);
        var notes = c.Notes is { } n && n != (seizure.Notes ?? "") ? n : null;
        if (notes is not null) changes.Add(new FieldChange("notes", seizure.Notes, notes.Length == 0 ? null : notes));
        var place = Change("place", seizure.Circumstances.Place, c.Place, s => s);
        var entry = Change("entry", seizure.Circumstances.Entry, c.Entry, s => s);
        var concealment = Change("concealment", seizure.Circumstances.Concealment, c.Concealment, s => s);
        var possession = Change("possession", seizure.Circumstances.Possession, c.Possession, s => s);

        if (changes.Count == 0)
            return Decision.Refuse(Problems.Refused("fields", "every field given already has that value; nothing to correct", Title));

        // The local date follows the instant and the facility's time zone, whichever of them changed.
        var zoneFacility = facility;
        DateOnly? localDate = null;
        if (facility is not null || occurredAt is not null)
        {
            var instant = occurredAt ?? seizure.OccurredAt;
            var date = SeizureFields.LocalDateOf(instant, facility?.TimeZone ?? seizure.TimeZone);
            if (date != seizure.LocalDate)
            {
                localDate = date;
                changes.Add(new FieldChange("localDate", seizure.LocalDate.ToString("O"), date.ToString("O")));
            }
        }

        return Decision.Append(new SeizureCorrected(seizure.Id, changes, c.Reason, by, now,
            facility?.Code, zoneFacility?.TimeZone, occurredAt, localDate, substance, quantity, detection, notes,
            place, entry, concealment, possession, location, oblast));
    }

    public static ProblemDetails Validate(CorrectSeizure command, SeizureFields fields, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, fields, time.GetUtcNow());
        return problems.Any ? problems.Invalid(Title) : WolverineContinue.NoProblems;
    }

    /// <summary>Correct fields of a seizure, with a reason. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/corrections", OperationId = "correctSeizure")]
    public static Task<IResult> Post(Guid id, CorrectSeizure command, SeizureFields fields, NodeIdentity node, HttpContext context,
        IDocumentSession session, IMessageBus bus, SharingOutbox sharing, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var (correction, _) = Check(command, fields, now);
        return SeizureChanges.ApplyAsync(id, context, session, bus, sharing,
            seizure => Decide(seizure, correction!, Actor.From(context, node), now), token);
    }
}
