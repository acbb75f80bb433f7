using System.Globalization;
using SeizureIntel.Agencies;
using SeizureIntel.Calendar;
using SeizureIntel.Contracts;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Seizures;

/// <summary>Checks of single fields, shared by recording and correcting a seizure.</summary>
public sealed class SeizureFields(FacilityCatalog facilities, ReferenceData reference, Oblasts oblasts)
{
    public const int MaxNotesLength = 4000;

    /// <summary>The detection method of a seizure made in a joint operation: it names its operation (operationId).</summary>
    public const string JointOperationDetection = "joint-operation";

    /// <summary>
    /// 400 rules of recording: detection joint-operation requires operationId; any other detection takes none (link
    /// those later with POST /api/operations/{id}/seizures).
    /// </summary>
    public static void OperationOfRecording(Problems problems, string? detection, Guid? operationId)
    {
        if (detection == JointOperationDetection && (operationId is null || operationId == Guid.Empty))
            problems.Fail("operationId", "is required when detection is joint-operation: the id of the launched joint operation (see /api/operations)");
        else if (detection is not null && detection != JointOperationDetection && operationId is not null)
            problems.Fail("operationId", "is taken only with detection joint-operation; link other seizures with POST /api/operations/{id}/seizures");
    }

    /// <summary>400 rules of a correction: detection corrected to joint-operation requires operationId; operationId comes only with it.</summary>
    public static void OperationOfCorrection(Problems problems, string? detection, Guid? operationId)
    {
        if (detection == JointOperationDetection && (operationId is null || operationId == Guid.Empty))
            problems.Fail("operationId", "is required when detection is corrected to joint-operation: the id of the launched joint operation the seizure was made in (see /api/operations)");
        else if (operationId is not null && detection != JointOperationDetection)
            problems.Fail("operationId", "is taken only with detection joint-operation: it names the operation the seizure was made in");
    }

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
        var facility = value.Length > Bounds.MaxItemLength ? null : facilities.Resolve(value);
        if (facility is null)
            problems.Fail("facilityId", value.Length > Bounds.MaxItemLength
                ? $"must be at most {Bounds.MaxItemLength} characters: a facility code or alias (see /api/facilities)"
                : $"'{value}' is not a known facility code or alias (see /api/facilities)");
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
        else if (Bounds.NotTooEarly(problems, field, instant)) return instant;
        return null;
    }

    public string? Code(Problems problems, string field, string vocabulary, string? value, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        if (value.Length > Bounds.MaxItemLength)
        {
            problems.Fail(field, $"must be at most {Bounds.MaxItemLength} characters: a code or name from /api/reference/{vocabulary}");
            return null;
        }
        var term = reference.Find(vocabulary, value);
        if (term is null) problems.Fail(field, $"'{value}' is not a known code (see /api/reference/{vocabulary}){DidYouMean(vocabulary, value)}");
        return term?.Code;
    }

    /// <summary>"; did you mean 'heroin'?" for a near miss (a typing error or a partial name), else nothing.</summary>
    public string DidYouMean(string vocabulary, string value)
    {
        var near = reference.Suggest(vocabulary, value, 3);
        return near.Count == 0 ? "" : $"; did you mean {string.Join(" or ", near.Select(t => $"'{t.Code}'"))}?";
    }

    public Quantity? Quantity(Problems problems, QuantityInput? value, bool required)
    {
        if (value is null)
        {
            if (required) problems.Fail("quantity", "is required");
            return null;
        }
        var unit = Code(problems, "quantity.unit", ReferenceData.Units, value.Unit, required: true);
        if (value.Value is not { } v) problems.Fail("quantity.value", "is required");
        else if (QuantityValue(problems, "quantity.value", v, unit) && unit is not null) return new Quantity(v, unit);
        return null;
    }

    /// <summary>
    /// The largest quantity one seizure may record, per unit. Masses: 250 t, above the largest single drug seizure on
    /// record, 236.8 t of hashish in Kandahar, Afghanistan, June 2008 (UNODC press release "UNODC welcomes largest drug
    /// seizure in history", 11 June 2008). Volumes: the same bound at a litre per kilogram. Counts (tablets, units,
    /// plants): 100 million, above the largest single tablet seizure on record, 84 million Captagon tablets in Salerno,
    /// Italy, July 2020 (Guardia di Finanza; EMCDDA/Europol EU Drug Markets: Amphetamine, 2023). These bounds keep every
    /// sum of a node's records (even 10^9 of them at the bound) far inside decimal's range (7.9 × 10^28).
    /// </summary>
    public static decimal MaxQuantity(string unit) => unit switch
    {
        "mg" => 250_000_000_000m,
        "g" => 250_000_000m,
        "kg" => 250_000m,
        "ml" => 250_000_000m,
        "l" => 250_000m,
        _ => 100_000_000m,
    };

    /// <summary>Largest net weight a lab may report, in grams (the mass bound of <see cref="MaxQuantity"/>).</summary>
    public const decimal MaxGrams = 250_000_000m;

    /// <summary>Decimal places a quantity may carry: a milligram of a kilogram figure.</summary>
    public const int MaxDecimalPlaces = 6;

    /// <summary>A positive amount within the unit's bound (any unit's largest when it is unknown) and with few enough decimals.</summary>
    public static bool QuantityValue(Problems problems, string field, decimal value, string? unit, decimal? max = null)
    {
        var bound = max ?? (unit is null ? 250_000_000_000m : MaxQuantity(unit));
        if (value <= 0) problems.Fail(field, "must be greater than zero");
        else if (value > bound)
            problems.Fail(field, $"must be at most {bound.ToString("#,0", CultureInfo.InvariantCulture)}{(unit is null ? "" : " " + unit)} " +
                                 "(above the largest drug seizure on record; see README, Reliability)");
        else if (decimal.Round(value, MaxDecimalPlaces) != value) problems.Fail(field, $"must have at most {MaxDecimalPlaces} decimal places");
        else return true;
        return false;
    }

    /// <summary>How the record may be shared: a handling code H0–H3 and a distribution; defaults H2 to all partners.</summary>
    public static (string HandlingCode, Distribution Distribution) Sharing(Problems problems, string? handlingCode, DistributionInput? distribution)
    {
        var code = string.IsNullOrWhiteSpace(handlingCode) ? HandlingCodes.Default : handlingCode.Trim().ToUpperInvariant();
        if (!HandlingCodes.All.Contains(code)) problems.Fail("handlingCode", $"'{handlingCode}' is not a handling code (H0, H1, H2 or H3)");
        if (distribution is null) return (code, Distribution.Everyone);
        var scope = distribution.Scope?.Trim().ToLowerInvariant() ?? "";
        if (!Distribution.Scopes.Contains(scope)) problems.Fail("distribution.scope", $"must be one of {string.Join(", ", Distribution.Scopes)}");
        if (!Bounds.Count(problems, "distribution.partners", distribution.Partners)) return (code, Distribution.Everyone);
        if (distribution.Partners?.Any(string.IsNullOrWhiteSpace) == true)
        {
            problems.Fail("distribution.partners", "must not contain null or blank agencies");
            return (code, Distribution.Everyone);
        }
        var partners = (distribution.Partners ?? []).Select(p => p.Trim().ToUpperInvariant()).Distinct().ToList();
        var unknown = partners.Where(p => !KnownAgencies.IsKnown(p)).ToList();
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
