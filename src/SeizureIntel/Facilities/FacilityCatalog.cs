using System.Text.Json.Serialization;
using System.Text.Json;
using SeizureIntel.Calendar;
using SeizureIntel.Geography;

namespace SeizureIntel.Facilities;

/// <summary>
/// A penitentiary facility of the catalogue. Closed facilities stay in it so their history still resolves.
/// <paramref name="Oblast"/> is the ISO 3166-2 code of its oblast, or null when no source says; <paramref name="Location"/>
/// says where it is only as precisely as its source does.
/// </summary>
public sealed record Facility(
    string Code,
    string Name,
    int? Number,
    string Type,
    int? SourceListCode,
    IReadOnlyList<string> Aliases,
    string State,
    string TimeZone,
    string? Note,
    string? Oblast,
    FacilityLocation Location)
{
    [System.Text.Json.Serialization.JsonIgnore] public TimeZoneInfo Zone => Calendar.LocalCalendar.Zone(TimeZone);

    /// <summary>The calendar date at the facility when the instant happened: a seizure counts in this date's year and month.</summary>
    public DateOnly LocalDateOf(DateTimeOffset instant) => Calendar.LocalCalendar.LocalDate(instant, TimeZone);
}

/// <summary>
/// The facilities known to this node, from <c>Facilities/facilities-kg.json</c> (see its source note). Resolves a code
/// or any alias ("No. 21", "СИЗО-1", "sizo-1") to its facility.
/// </summary>
public sealed class FacilityCatalog
{
    private readonly Dictionary<string, Facility> _byKey = new(StringComparer.OrdinalIgnoreCase);

    public FacilityCatalog(string source, IReadOnlyList<Facility> facilities)
    {
        Source = source;
        All = facilities;
        foreach (var facility in facilities)
        {
            _ = facility.Zone; // fail at start-up, not at the first seizure, when a time zone is unknown
            if (facility.Location is null) throw new InvalidOperationException($"{facility.Code} has no location (use precision 'unknown')");
            if (facility.Location.Problem() is { } problem) throw new InvalidOperationException($"the location of {facility.Code} {problem}");
            if (facility.Location.Precision == LocationPrecision.Oblast && facility.Oblast is null)
                throw new InvalidOperationException($"the location of {facility.Code} is of oblast precision but names no oblast");
            foreach (var key in facility.Aliases.Prepend(facility.Code).Select(Normalise))
            {
                if (_byKey.TryGetValue(key, out var other) && other != facility)
                    throw new InvalidOperationException($"'{key}' names both {other.Code} and {facility.Code}");
                _byKey[key] = facility;
            }
        }
    }

    public string Source { get; }
    public IReadOnlyList<Facility> All { get; }

    public Facility? Resolve(string? codeOrAlias) =>
        codeOrAlias is not null && _byKey.TryGetValue(Normalise(codeOrAlias), out var facility) ? facility : null;

    private static string Normalise(string key) => string.Join(' ', key.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public static FacilityCatalog LoadEmbedded()
    {
        using var stream = typeof(FacilityCatalog).Assembly.GetManifestResourceStream("SeizureIntel.Facilities.facilities-kg.json")
                           ?? throw new InvalidOperationException("embedded facilities-kg.json is missing");
        var file = JsonSerializer.Deserialize<CatalogFile>(stream, FileJson)
                   ?? throw new InvalidOperationException("facilities-kg.json is empty");
        return new FacilityCatalog(file.Source, file.Facilities);
    }

    /// <summary>The file's casing; precisions as words ("town"), never as numbers that would silently mean another one.</summary>
    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerOptions.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false) },
    };

    private sealed record CatalogFile(string Source, List<Facility> Facilities);
}
