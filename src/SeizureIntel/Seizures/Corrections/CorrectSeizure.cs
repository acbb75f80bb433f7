using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Calendar;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;
namespace SeizureIntel.Seizures.Corrections;

/// <summary>
/// Correct a recorded seizure: name only the fields that were wrong, and why. The record is never edited: the
/// correction is a new event that keeps both the old and the new value. Notes "" clears the notes.
/// </summary>
/// <param name="Reason">Why the seizure is corrected (required); also the reason its joint operation's timeline shows when the correction links or unlinks it.</param>
/// <param name="FacilityId">Facility code or alias, e.g. SIZO-1 or "No. 21".</param>
/// <param name="OccurredAt">ISO 8601 instant with its offset, e.g. 2015-03-14T10:30:00+06:00.</param>
/// <param name="Substance">Substance code from /api/reference/substances.</param>
/// <param name="Quantity">Value and unit as recorded.</param>
/// <param name="Detection">How it was found, from /api/reference/detection-methods. Corrected to joint-operation, it requires operationId and the seizure joins that operation; corrected from joint-operation to anything else, the seizure leaves its operation; both in the same transaction as the correction.</param>
/// <param name="Notes">Free text; no personal names; "" clears the notes.</param>
/// <param name="Place">Where in the facility, from /api/reference/places.</param>
/// <param name="Entry">Method of entry, from /api/reference/entry-methods.</param>
/// <param name="Concealment">How it was hidden, from /api/reference/concealment-methods.</param>
/// <param name="Possession">Whose possession, from /api/reference/possession.</param>
/// <param name="Location">Where it was seized, WGS 84.</param>
/// <param name="CrossBorder">Set when the location lies outside Kyrgyzstan on purpose.</param>
/// <param name="RemoveLocation">true removes the seizure's own point (e.g. a GPS reading taken elsewhere): it is then placed at its facility, whose stated oblast it takes. Refused for a seizure without a facility (give facilityId with it) and together with location.</param>
/// <param name="OperationId">The launched joint operation the seizure was made in: required when detection is corrected to joint-operation, taken with no other detection. Naming another operation than the seizure's own moves it there.</param>
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
    bool? CrossBorder = null,
    Guid? OperationId = null,
    bool? RemoveLocation = null);

public sealed record FieldChange(string Field, string? From, string? To);

/// <summary>
/// A correction: new values of the changed fields only (null: unchanged), the changes as read, why and who. Notes ""
/// clears the notes; Oblast "" means the seizure no longer has a known oblast; LocationRemoved: the seizure's own point
/// is gone (it is placed at its facility).
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
    string? Oblast = null,
    bool LocationRemoved = false) : ISeizureEvent, IAttributedEvent;

/// <summary>The correction's fields, checked and resolved; <see cref="OperationId"/> only with detection joint-operation.</summary>
public sealed record ValidCorrection(
    string Reason, Facility? Facility, DateTimeOffset? OccurredAt, string? Substance, Quantity? Quantity, string? Detection,
    string? Notes, string? Place, string? Entry, string? Concealment, string? Possession, SeizureLocation? Location = null,
    Guid? OperationId = null, bool RemoveLocation = false);

public static class CorrectSeizureEndpoint
{
    public const string Title = "The seizure was not corrected";

    public static (ValidCorrection? Correction, Problems Problems) Check(CorrectSeizure command, SeizureFields fields, DateTimeOffset now)
    {
        var problems = new Problems();
        var reason = problems.RequireText("reason", command.Reason);
        var detection = fields.Code(problems, "detection", ReferenceData.DetectionMethods, command.Detection, required: false);
        SeizureFields.OperationOfCorrection(problems, detection, command.OperationId);
        var correction = new ValidCorrection(
            reason ?? "",
            fields.Facility(problems, command.FacilityId, required: false),
            SeizureFields.Instant(problems, "occurredAt", command.OccurredAt, now, required: false),
            fields.Code(problems, "substance", ReferenceData.Substances, command.Substance, required: false),
            fields.Quantity(problems, command.Quantity, required: false),
            detection,
            command.Notes is null ? null : fields.Notes(problems, command.Notes) ?? "",
            fields.Code(problems, "place", ReferenceData.Places, command.Place, required: false),
            fields.Code(problems, "entry", ReferenceData.EntryMethods, command.Entry, required: false),
            fields.Code(problems, "concealment", ReferenceData.ConcealmentMethods, command.Concealment, required: false),
            fields.Code(problems, "possession", ReferenceData.Possession, command.Possession, required: false),
            fields.Location(problems, command.Location, command.CrossBorder ?? false),
            command.OperationId,
            command.RemoveLocation == true);
        if (command.RemoveLocation == true && command.Location is not null)
            problems.Fail("removeLocation", "cannot come with a new location: give the corrected location, or remove it");
        if (!problems.Any && correction with { Reason = "" } == new ValidCorrection("", null, null, null, null, null, null, null, null, null, null))
            problems.Fail("fields", "name at least one field to correct");
        return (problems.Any ? null : correction, problems);
    }

    /// <summary>
    /// Pure: the event for the fields that really change, or a refusal. <paramref name="link"/> is what the correction does to
    /// the seizure's joint-operation link (decided by the Linking module from the operations read under lock; null: nothing),
    /// shown in the seizure's history as a change of operationId. <paramref name="seizureFacility"/> is the catalogue's entry
    /// for the seizure's present facility: a removed point leaves the seizure at its facility, in that facility's stated oblast.
    /// </summary>
    public static Decision Decide(Seizure seizure, ValidCorrection c, Actor by, DateTimeOffset now, Facility? seizureFacility = null,
        FieldChange? link = null)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;

        var changes = new List<FieldChange>();
        T? Change<T>(string field, T? current, T? proposed, Func<T, string?> show) where T : class
        {
            if (proposed is null || Equals(proposed, current)) return null;
            changes.Add(new FieldChange(field, current is null ? null : show(current), show(proposed)));
            return proposed;
        }

        var facility = c.Facility is { } f && f.Code != seizure.FacilityId ? f : null;
        if (facility is not null) changes.Add(new FieldChange("facilityId", seizure.FacilityId, facility.Code));
        string Show(SeizureLocation l) => $"{l.Lat}, {l.Lon}{(l.CrossBorder ? " (cross-border)" : "")}";
        var location = Change("location", seizure.Location, c.Location, Show);
        var removed = c.RemoveLocation && seizure.Location is not null;
        if (removed)
        {
            if ((facility?.Code ?? seizure.FacilityId) is null)
                return Decision.Refuse(Problems.Refused("removeLocation",
                    $"{seizure.Reference} has no facility, so its own point is all that places it: give facilityId with removeLocation, or correct the location", Title));
            changes.Add(new FieldChange("location", Show(seizure.Location!), null));
        }
        // The oblast follows the seizure's own point, else its facility's stated oblast.
        var oblastNow = removed ? (facility ?? seizureFacility)?.Oblast
            : (location ?? seizure.Location) is { } point ? point.Oblast : facility is not null ? facility.Oblast : seizure.Oblast;
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
        if (link is not null) changes.Add(link);

        if (changes.Count == 0)
            return Decision.Refuse(Problems.Refused("fields", "every field given already has that value; nothing to correct", Title));

        // The local date follows the instant and the facility's time zone, whichever of them changed.
        var zoneFacility = facility;
        DateOnly? localDate = null;
        if (facility is not null || occurredAt is not null)
        {
            var instant = occurredAt ?? seizure.OccurredAt;
            var date = LocalCalendar.LocalDate(instant, facility?.TimeZone ?? seizure.TimeZone);
            if (date != seizure.LocalDate)
            {
                localDate = date;
                changes.Add(new FieldChange("localDate", seizure.LocalDate.ToString("O"), date.ToString("O")));
            }
        }

        return Decision.Append(new SeizureCorrected(seizure.Id, changes, c.Reason, by, now,
            facility?.Code, zoneFacility?.TimeZone, occurredAt, localDate, substance, quantity, detection, notes,
            place, entry, concealment, possession, location, oblast, removed));
    }

    public static ProblemDetails Validate(CorrectSeizure command, SeizureFields fields, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, fields, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>
    /// Correct fields of a seizure, with a reason. Requires If-Match with the seizure's ETag. A correction of detection to
    /// joint-operation names the operation (operationId) and links the seizure to it; one from joint-operation unlinks it;
    /// both in the same transaction as the correction (409 naming operationId or detection when the operation refuses).
    /// </summary>
    [WolverinePost("/api/seizures/{id}/corrections", OperationId = "correctSeizure")]
    public static async Task<(IResult, Events)> Post(CorrectSeizure command, [Change] Seizure seizure, SeizureFields fields, IOperationLinks links,
        Actor by, IDocumentSession session, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var (correction, _) = Check(command, fields, now);
        if (seizure.RefuseIfVoided(Title) is { } voided) return voided.Answer(seizure);
        var link = await links.PlanCorrectionAsync(seizure, correction!.Detection, correction.OperationId, correction.Reason, by, now, session, token);
        if (link.Problem is not null) return Decision.Refuse(link.Problem).Answer(seizure);
        var decision = Decide(seizure, correction, by, now, fields.Known(seizure.FacilityId), link.Change);
        if (decision.Problem is null) link.Apply(session);
        return decision.Answer(seizure);
    }
}
