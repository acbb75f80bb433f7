namespace SeizureIntel.Geography;

/// <summary>
/// How precisely a recorded location is known. A location is recorded only with its precision and its source, so a
/// town's centre standing in for an address is never mistaken for a surveyed position.
/// </summary>
public enum LocationPrecision
{
    /// <summary>The position itself, from a source that gives it (a survey, an official address geocoded to the building).</summary>
    Exact,

    /// <summary>Only the town is known; the point is that town's centre, from a named gazetteer.</summary>
    Town,

    /// <summary>Only the oblast is known; there is no point, since any point would be a guess.</summary>
    Oblast,

    /// <summary>Nothing is known from a public source: no point and, unless a source names it, no oblast.</summary>
    Unknown,
}
