namespace SeizureIntel.Tests.Support;

/// <summary>
/// A seizure as a test posts it, with the test's own, independent arithmetic: Kyrgyzstan has kept UTC+6 all year
/// since 2005, so the local date is the UTC instant plus six hours; masses are value × 0.001 / 1 / 1000.
/// </summary>
public sealed record RawSeizure(string Facility, DateTimeOffset OccurredAt, string Substance, decimal Value, string Unit, string Detection)
{
    public object Body => new
    {
        facilityId = Facility,
        occurredAt = OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssK"),
        substance = Substance,
        quantity = new { value = Value, unit = Unit },
        detection = Detection,
    };

    public DateTime LocalDateTime => OccurredAt.UtcDateTime.AddHours(6);
    public int Year => LocalDateTime.Year;
    public int Month => LocalDateTime.Month;

    public decimal? Grams => Unit switch
    {
        "mg" => Value / 1000m,
        "g" => Value,
        "kg" => Value * 1000m,
        _ => null,
    };

    /// <summary>A varied, reproducible data set: several facilities, substances, units and detections, with instants near year ends.</summary>
    public static List<RawSeizure> Varied(int count, int seed)
    {
        var random = new Random(seed);
        string[] facilities = ["SIZO-1", "IK-1", "IK-47", "SIZO-5", "KP-26"];
        string[] substances = ["heroin", "cannabis-herb", "cannabis-resin", "opium", "methamphetamine", "tramadol"];
        string[] units = ["g", "g", "kg", "mg", "tablet"];
        string[] detections = ["visitor-search", "cell-search", "body-search", "perimeter", "canine"];
        var boundary = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.FromHours(6));
        return Enumerable.Range(0, count).Select(i =>
        {
            // Every third seizure falls within six hours either side of New Year in Bishkek, where UTC and local years differ.
            var at = i % 3 == 0
                ? boundary.AddMinutes(random.Next(-360, 360))
                : new DateTimeOffset(2014, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 2 * 365 * 24 * 60));
            var unit = units[random.Next(units.Length)];
            var value = unit == "tablet" ? random.Next(1, 50) : Math.Round((decimal)random.NextDouble() * 900m + 0.1m, 3);
            return new RawSeizure(facilities[random.Next(facilities.Length)], at.ToOffset(TimeSpan.FromHours(random.Next(0, 2) * 6)),
                substances[random.Next(substances.Length)], value, unit, detections[random.Next(detections.Length)]);
        }).ToList();
    }
}
