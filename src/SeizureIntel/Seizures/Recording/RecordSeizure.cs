using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Node;
using SeizureIntel.Operations.Linking;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.References;
using SeizureIntel.Sharing.Contracts;
using SeizureIntel.Sharing.Publishing;
using Wolverine;
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
    Distribution? Distribution = null) : ISeizureEvent;

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
    public string TimeZone => Facility?.TimeZone ?? SeizureFields.CountryTimeZone;

    public DateOnly LocalDate => SeizureFields.LocalDateOf(OccurredAt, TimeZone);

    /// <summary>Where the seizure counts on the map: its own point's oblast, else its facility's stated oblast.</summary>
    public string? Oblast => Location is not null ? Location.Oblast : Facility?.Oblast;
}

/// <summary>Checks of single fields, shared by recording and correcting a seizure.</summary>
public sealed class SeizureFields(FacilityCatalog facilities, ReferenceData reference, Oblasts oblasts)
{
    public const int MaxNotesLength = 4000;
    public const string CountryTimeZone = "Asia/Bishkek";

    public static DateOnly LocalDateOf(DateTimeOffset instant, string timeZone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime);

    /// <summary>A point (WGS 84) with its oblast; outside Kyrgyzstan only when flagged as cross-border.</summary>
    public SeizureLocation? Location(Problems problems, LocationInput? value, bool crossBorder)
    {
        if (value is null)
        {
            if (crossBorder) problems.Fail("crossBorder", "is set but no location is given");
            return null;
        }
        if (value.Lat is not { } lat) problems.Fail("location.lat", "is required");
        else if (lat is < -90 or > 90 || double.IsNaN(lat)) problems.Fail("location.lat", "must be a latitude between -90 and 90 (WGS 84)");
        if (value.Lon is not { } lon) problems.Fail("location.lon", "is required");
        else if (lon is < -180 or > 180 || double.IsNaN(lon)) problems.Fail("location.lon", "must be a longitude between -180 and 180 (WGS 84)");
        if (value.Lat is not { } la || value.Lon is not { } lo || problems.Errors.Keys.Any(k => k.StartsWith("location."))) return null;

        var oblast = oblasts.Locate(la, lo)?.Code;
        if (oblast is null && !crossBorder)
        {
            problems.Fail("location", $"({la}, {lo}) lies outside Kyrgyzstan; set crossBorder: true if it was seized across the border");
            return null;
        }
        return new SeizureLocation(la, lo, oblast, crossBorder);
    }

    /// <summary>Clock skew tolerated before an instant counts as "in the future".</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The catalogue's facility of a code already stored on a seizure (null: none, or no longer known).</summary>
    public Facility? Known(string? code) => code is null ? null : facilities.Resolve(code);

    public Facility? Facility(Problems problems, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail("facilityId", "is required (unless the seizure has its own location)");
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

    /// <summary>How the record may be shared: a handling code H0–H3 and a distribution; defaults H2 to all partners.</summary>
    public static (string HandlingCode, Distribution Distribution) Sharing(Problems problems, string? handlingCode, DistributionInput? distribution)
    {
        var code = string.IsNullOrWhiteSpace(handlingCode) ? HandlingCodes.Default : handlingCode.Trim().ToUpperInvariant();
        if (!HandlingCodes.All.Contains(code)) problems.Fail("handlingCode", $"'{handlingCode}' is not a handling code (H0, H1, H2 or H3)");
        if (distribution is null) return (code, Distribution.Everyone);
        var scope = distribution.Scope?.Trim().ToLowerInvariant() ?? "";
        if (!Distribution.Scopes.Contains(scope)) problems.Fail("distribution.scope", $"must be one of {string.Join(", ", Distribution.Scopes)}");
        var partners = (distribution.Partners ?? []).Select(p => p.Trim().ToUpperInvariant()).Distinct().ToList();
        var unknown = partners.Where(p => !NodeIdentity.KnownAgencies.ContainsKey(p)).ToList();
        if (unknown.Count > 0) problems.Fail("distribution.partners", $"unknown agencies: {string.Join(", ", unknown)}");
        if (scope == Distribution.NamedPartners && partners.Count == 0) problems.Fail("distribution.partners", "name at least one partner for named-partners");
        return (code, new Distribution(scope, scope == Distribution.NamedPartners ? partners : []));
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
        var location = fields.Location(problems, command.Location, command.CrossBorder ?? false);
        var facility = fields.Facility(problems, command.FacilityId, required: command.Location is null);
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
        var (handlingCode, distribution) = SeizureFields.Sharing(problems, command.HandlingCode, command.Distribution);

        return problems.Any
            ? (null, problems)
            : (new ValidSeizure(facility, location, occurredAt!.Value, substance!, quantity!, detection!, notes, circumstances,
                handlingCode, distribution), problems);
    }

    /// <summary>The event that starts the seizure's stream. Pure: everything it needs is passed in.</summary>
    public static SeizureRecorded Recorded(Guid id, ValidSeizure seizure, string reference, Actor actor, DateTimeOffset now, bool demo = false) =>
        new(id, actor.Agency, reference, seizure.Facility?.Code, seizure.OccurredAt.ToUniversalTime(), seizure.LocalDate,
            seizure.TimeZone, seizure.Substance, seizure.Quantity, seizure.Detection, seizure.Notes, actor.User, now, demo,
            seizure.Circumstances, seizure.Location, seizure.Oblast, seizure.HandlingCode, seizure.Distribution);

    public const string RefusedTitle = "The seizure was not recorded";
}

public static class RecordSeizureEndpoint
{
    public static ProblemDetails Validate(RecordSeizure command, SeizureFields fields, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(SeizureRules.RefusedTitle);
        var (_, problems) = SeizureRules.Check(command, fields, time.GetUtcNow());
        return problems.Verdict(SeizureRules.RefusedTitle);
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
        RecordSeizure command, SeizureFields fields, NodeIdentity node, IDocumentSession session, TimeProvider time, CancellationToken token)
    {
        var (seizure, _) = SeizureRules.Check(command, fields, time.GetUtcNow());
        var reference = await ReferenceAllocator.NextAsync(session, node.Agency, seizure!.LocalDate.Year, token);
        return new AllocatedReference(reference);
    }

    /// <summary>Record a seizure: starts its event stream and answers 201 with its id, reference and version.</summary>
    [WolverinePost("/api/seizures", OperationId = "recordSeizure")]
    public static async Task<(SeizureCreated, IStartStream)> Post(
        RecordSeizure command, AllocatedReference reference, SeizureFields fields, NodeIdentity node, HttpContext context,
        IDocumentSession session, IMessageBus bus, SharingOutbox sharing, TimeProvider time, CancellationToken token)
    {
        var now = time.GetUtcNow();
        var (seizure, _) = SeizureRules.Check(command, fields, now);
        var id = Guid.CreateVersion7(now);
        var recorded = SeizureRules.Recorded(id, seizure!, reference.Value, Actor.From(context, node), now);
        var created = new SeizureCreated(id, reference.Value, 1);
        IdempotentPosts.Remember(context, node, command, created, session, now);
        if (RecordingInOperation.Link(session, context, recorded) is { } linked &&
            await session.LoadAsync<Operations.JointOperation>(linked.OperationId, token) is { } operation)
            await sharing.ShareAsync(operation.After([linked]), session, bus, token);
        context.Response.Headers.ETag = SeizureVersions.ETag(1);
        var state = Seizure.Create(recorded);
        state.Version = 1;
        await sharing.ShareAsync(state, session, bus, token);
        return (created, MartenOps.StartStream<Seizure>(id, recorded));
    }
}

public sealed record AllocatedReference(string Value);
