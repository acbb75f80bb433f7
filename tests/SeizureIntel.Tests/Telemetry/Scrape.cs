using System.Globalization;
using System.Text.RegularExpressions;

namespace SeizureIntel.Tests.Telemetry;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>Scrapes a node's GET /metrics as Prometheus would (a client holding the monitoring role) and reads the text format.</summary>
public static partial class Scrape
{
    /// <summary>A real node's scrape, with a client holding the monitoring role.</summary>
    public static async Task<List<Sample>> MetricsAsync(HttpClient monitoring)
    {
        using var response = await monitoring.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        return Parse(body);
    }

    public static List<Sample> Parse(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(line =>
        {
            var m = SampleLine().Match(line);
            if (!m.Success) throw new FormatException($"not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            var value = m.Groups["value"].Value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, var v => double.Parse(v, CultureInfo.InvariantCulture) };
            return new Sample(m.Groups["name"].Value, labels, value);
        }).ToList();

    /// <summary>The value of the one sample of that name whose labels include the given ones; null when there is none.</summary>
    public static double? Value(this IEnumerable<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => (double?)s.Value).SingleOrDefault();

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
