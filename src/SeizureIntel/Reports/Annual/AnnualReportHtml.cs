using System.Globalization;
using System.Net;
using System.Text;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// The report as one self-contained, printable HTML page: inline CSS, charts drawn here as inline SVG (no scripts,
/// no fonts, no images fetched from anywhere), so it opens and prints with no network.
/// </summary>
public static class AnnualReportHtml
{
    private const string YearColour = "#1f4e79";
    private const string BaselineColour = "#a6a6a6";

    private const string Css = """
        body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;margin:2em;color:#111;font-size:11pt}
        h1{font-size:18pt;margin-bottom:.2em}h2{font-size:13pt;margin-top:1.6em;border-bottom:1px solid #999}
        p.headline{font-size:14pt;font-weight:bold;margin:1em 0}
        table{border-collapse:collapse;margin:.5em 0;page-break-inside:avoid}
        th,td{border:1px solid #bbb;padding:2px 6px;text-align:right;font-size:9.5pt}
        th{background:#eee}td.k,th.k{text-align:left}
        .prov td{text-align:left}.note{font-size:9pt;color:#444}
        .legend span{display:inline-block;width:1em;height:.8em;margin:0 .3em 0 1em}
        figure{margin:1em 0;page-break-inside:avoid}
        @page{size:A4;margin:12mm}
        @media print{body{margin:0;font-size:10pt}h2{page-break-after:avoid}svg{max-width:100%;height:auto}}
        """;

    public static string Render(AnnualReport r)
    {
        var h = new StringBuilder();
        string T(string english) => ReportText.T(r.Language, english);
        string F(string english, params object[] args) => string.Format(CultureInfo.InvariantCulture, T(english), args);
        var scope = r.Agency is null ? T("all agencies") : r.Agency;
        h.Append("<!DOCTYPE html>\n<html lang=\"").Append(ReportText.IsRussian(r.Language) ? "ru" : "en").Append("\"><head><meta charset=\"utf-8\">")
            .Append("<title>").Append(E($"{T("Annual comparison report")} {r.Year} / {r.Baseline} ({scope})")).Append("</title>")
            .Append("<style>").Append(Css).Append("</style></head><body>\n");
        h.Append("<h1>").Append(E(F("Seizures of narcotic drugs: {0} compared with {1}", r.Year, r.Baseline))).Append("</h1>\n");
        h.Append("<p class=\"headline\">").Append(E(r.Headline)).Append("</p>\n");
        if (r.ChangeParagraph is { } change) h.Append("<p class=\"change\">").Append(E(change)).Append("</p>\n");

        h.Append("<h2>").Append(T("Provenance")).Append("</h2>\n<table class=\"prov\">");
        Prov(h, T("Scope"), scope);
        Prov(h, T("As of"), r.Provenance.AsOf is { } asOf
            ? F("{0} (events recorded up to this instant)", AnnualReportCsv.Instant(asOf)) : T("now (current read models)"));
        Prov(h, T("Event-store high-water mark"), $"{r.Provenance.HighWaterMark} ({r.Provenance.HighWaterMarkSource})");
        Prov(h, T("Conversion table version"), r.Provenance.ConversionTableVersion);
        Prov(h, T("Node"), r.Provenance.Node);
        Prov(h, T("Generated at"), AnnualReportCsv.Instant(r.Provenance.GeneratedAt));
        h.Append("</table>\n<p class=\"note\">")
            .Append(E(T("Masses are best weights: the forensic laboratory's net weight where there is one, else the field figure. Seizures count in the year and month of their local date. Seizures whose quantity has no known mass are counted but add no mass.")))
            .Append("</p>\n");

        h.Append("<h2>").Append(T("Totals")).Append("</h2>\n<table><tr><th class=\"k\">").Append(T("measure")).Append("</th><th>").Append(T("unit"))
            .Append("</th><th>").Append(r.Year).Append("</th><th>").Append(r.Baseline).Append("</th><th>").Append(T("change, %")).Append("</th></tr>");
        Total(h, T("seizures"), T("count"), Int(r.YearTotal.Count), Int(r.BaselineTotal.Count), "");
        Total(h, T("mass withdrawn"), T("kg"), Kg3(r.YearTotal.Grams), Kg3(r.BaselineTotal.Grams), Pct(r.ChangePercent));
        Total(h, T("mass confirmed by the lab"), T("kg"), Kg3(r.YearTotal.LabConfirmedGrams), Kg3(r.BaselineTotal.LabConfirmedGrams), "");
        Total(h, T("share of mass confirmed by the lab"), "%", Share(r.YearTotal.LabConfirmedPercent), Share(r.BaselineTotal.LabConfirmedPercent), "");
        Total(h, T("seizures without a known mass"), T("count"), Int(r.YearTotal.WithoutMass), Int(r.BaselineTotal.WithoutMass), "");
        h.Append("</table>\n");

        h.Append("<h2>").Append(T("Charts")).Append("</h2>\n");
        h.Append("<figure><figcaption>").Append(E(F("Mass withdrawn by substance group, kg: {0} against {1}", r.Year, r.Baseline)))
            .Append("</figcaption>").Append(Legend(r)).Append(GroupBars(r)).Append("</figure>\n");
        h.Append("<figure><figcaption>").Append(E(F("Mass withdrawn by month (local date), kg: {0} and {1}", r.Year, r.Baseline)))
            .Append("</figcaption>").Append(Legend(r)).Append(MonthLines(r)).Append("</figure>\n");

        foreach (var table in r.Tables)
        {
            h.Append("<h2>").Append(E(table.Title)).Append("</h2>\n<table><tr><th class=\"k\">").Append(E(table.KeyHeader))
                .Append("</th><th class=\"k\">").Append(T("code")).Append("</th>")
                .Append($"<th>{r.Year}<br>{T("seizures, count")}</th><th>{r.Year}<br>{T("mass, kg")}</th><th>{r.Year}<br>{T("lab-confirmed, kg")}</th>")
                .Append($"<th>{r.Baseline}<br>{T("seizures, count")}</th><th>{r.Baseline}<br>{T("mass, kg")}</th><th>{r.Baseline}<br>{T("lab-confirmed, kg")}</th>")
                .Append("<th>").Append(T("change of mass, %")).Append("</th></tr>\n");
            foreach (var row in table.Rows)
                h.Append("<tr><td class=\"k\">").Append(E(row.Name)).Append("</td><td class=\"k\">").Append(E(row.Key)).Append("</td>")
                    .Append(Td(Int(row.Year.Count))).Append(Td(Kg3(row.Year.Grams))).Append(Td(Kg3(row.Year.LabConfirmedGrams)))
                    .Append(Td(Int(row.Baseline.Count))).Append(Td(Kg3(row.Baseline.Grams))).Append(Td(Kg3(row.Baseline.LabConfirmedGrams)))
                    .Append(Td(Pct(row.ChangePercent))).Append("</tr>\n");
            if (table.Rows.Count == 0) h.Append("<tr><td class=\"k\" colspan=\"9\">" + T("no seizures") + "</td></tr>\n");
            h.Append("</table>\n");
        }

        if (r.National is { } national)
        {
            h.Append("<h2>").Append(T("Beside the national figures")).Append("</h2>\n");
            if (national.Source is not { } source)
                h.Append("<p class=\"note\">").Append(E(national.Note ?? "")).Append("</p>\n");
            else
            {
                h.Append("<p class=\"note\">").Append(E(F("Source: {0}, edition {1} (file sha256 {2}, imported {3}).", source.Citation, source.Edition,
                    source.FileSha256, source.ImportedAt.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)))).Append("</p>\n");
                h.Append("<table><tr><th>").Append(T("year")).Append("</th><th class=\"k\">").Append(T("substance group")).Append("</th><th>")
                    .Append(T("mass in this report, kg")).Append("</th><th>").Append(T("reported to UNODC, kg")).Append("</th><th>").Append(T("share, %"))
                    .Append("</th><th class=\"k\">").Append(T("caveats")).Append("</th></tr>\n");
                foreach (var row in national.Rows)
                    h.Append("<tr><td>").Append(row.Year).Append("</td><td class=\"k\">").Append(E(row.GroupName)).Append("</td>")
                        .Append(Td(Kg3(row.OwnGrams))).Append(Td(row.NationalKg is { } kg ? kg.ToString("#,0.###", CultureInfo.InvariantCulture) : T("no figure")))
                        .Append(Td(Share(row.SharePercent))).Append("<td class=\"k\">").Append(E(string.Join("; ", row.Comments))).Append("</td></tr>\n");
                h.Append("</table>\n<ul>");
                foreach (var row in national.Rows) h.Append("<li>").Append(E(row.Statement)).Append("</li>");
                h.Append("</ul>\n<p class=\"note\">").Append(E(T("Shares set this report's best weights beside the kilogram equivalents the country reported to UNODC for the same substance group and year; a caveat (financial year, part of the year, customs only) belongs to the national figure. No figure: the edition has none for that group and year."))).Append("</p>\n");
            }
        }

        var (y, b) = (r.JointOperations.Year, r.JointOperations.Baseline);
        h.Append("<h2>").Append(T("Joint operations")).Append("</h2>\n<table><tr><th class=\"k\">").Append(T("measure")).Append("</th><th>").Append(T("unit"))
            .Append("</th><th>").Append(r.Year).Append("</th><th>").Append(r.Baseline).Append("</th></tr>");
        Total(h, r.Agency is null ? T("operations launched") : F("operations launched, led by {0}", r.Agency), T("count"), Int(y.Count), Int(b.Count), null);
        Total(h, T("seizures linked"), T("count"), Int(y.Seizures), Int(b.Seizures), null);
        Total(h, T("mass of linked seizures"), T("kg"), Kg3(y.Grams), Kg3(b.Grams), null);
        Total(h, T("arrests"), T("count"), Int(y.Arrests), Int(b.Arrests), null);
        Total(h, T("criminal cases opened"), T("count"), Int(y.Cases), Int(b.Cases), null);
        h.Append("</table>\n<p class=\"note\">")
            .Append(E(T("An operation counts in the year of its launch (Bishkek local date); cancelled operations count in no year."))).Append("</p>\n");

        h.Append("<h2>").Append(T("Finds per search effort")).Append("</h2>\n");
        if (r.EffortRows.Count == 0)
            h.Append("<p class=\"note\">").Append(E(T("No search effort was recorded in either year, so no rates can be given."))).Append("</p>\n");
        else
        {
            h.Append("<table><tr><th class=\"k\">").Append(T("facility")).Append("</th><th class=\"k\">").Append(T("kind of effort")).Append("</th>")
                .Append($"<th>{r.Year}<br>{T("effort")}</th><th>{r.Year}<br>{T("finds")}</th><th>{r.Year}<br>{T("finds per 1,000")}</th><th>{r.Year}<br>{T("g per 1,000")}</th>")
                .Append($"<th>{r.Baseline}<br>{T("effort")}</th><th>{r.Baseline}<br>{T("finds")}</th><th>{r.Baseline}<br>{T("finds per 1,000")}</th><th>{r.Baseline}<br>{T("g per 1,000")}</th></tr>\n");
            foreach (var e in r.EffortRows)
            {
                h.Append("<tr><td class=\"k\">").Append(E(e.FacilityName)).Append("</td><td class=\"k\">").Append(E(e.KindName)).Append("</td>");
                foreach (var side in new[] { e.Year, e.Baseline })
                    if (side is null) h.Append("<td colspan=\"4\">").Append(T("no effort recorded")).Append("</td>");
                    else h.Append(Td(Rate(side.Amount) + " " + T(e.Unit))).Append(Td(Int(side.Finds))).Append(Td(Rate(side.FindsPer1000))).Append(Td(Rate(side.GramsPer1000)));
                h.Append("</tr>\n");
            }
            h.Append("</table>\n<p class=\"note\">").Append(E(T(
                "Finds of the matching detection method per 1,000 screenings (per 1,000 hours for dog teams), over the months with effort recorded; months without effort are left out."))).Append("</p>\n");
        }
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static string Rate(decimal? value) => value is { } v ? v.ToString("#,0.####", CultureInfo.InvariantCulture) : "—";

    private static string Legend(AnnualReport r) =>
        $"<div class=\"legend\"><span style=\"background:{YearColour}\"></span>{r.Year}<span style=\"background:{BaselineColour}\"></span>{r.Baseline}</div>";

    /// <summary>
    /// Grouped bars: for each substance group, the baseline's bar then the year's, on one kg axis. A group's name is
    /// wrapped under its bars, never cut: the chart grows downwards for as many lines as the longest name needs.
    /// </summary>
    public static string GroupBars(AnnualReport r)
    {
        var rows = r.Table("substance-group").Rows;
        const int top = 15, slot = 90, bar = 30, line = 11, perLine = 16;
        var labels = rows.Select(x => Wrap(x.Name, perLine)).ToList();
        var bottom = 22 + line * labels.Select(l => l.Count).DefaultIfEmpty(1).Max();
        var height = 200 + bottom;
        var left = 60;
        var width = left + Math.Max(1, rows.Count) * slot + 20;
        var max = Axis(rows.SelectMany(x => new[] { x.Year.Grams, x.Baseline.Grams }).DefaultIfEmpty(0m).Max() / 1000m);
        var plot = height - top - bottom;
        var svg = new StringBuilder();
        svg.Append($"<svg role=\"img\" aria-label=\"mass by substance group\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        Grid(svg, left, top, plot, width - 10, max);
        for (var i = 0; i < rows.Count; i++)
        {
            var x0 = left + i * slot + (slot - 2 * bar) / 2;
            BarRect(svg, x0, rows[i].Baseline.Grams / 1000m, max, top, plot, bar, BaselineColour, $"{r.Baseline} {rows[i].Name}");
            BarRect(svg, x0 + bar, rows[i].Year.Grams / 1000m, max, top, plot, bar, YearColour, $"{r.Year} {rows[i].Name}");
            var x = left + i * slot + slot / 2;
            svg.Append($"<text x=\"{x}\" y=\"{height - bottom + 14}\" font-size=\"9\" text-anchor=\"middle\">");
            for (var l = 0; l < labels[i].Count; l++)
                svg.Append($"<tspan x=\"{x}\" dy=\"{(l == 0 ? 0 : line)}\">").Append(E(labels[i][l])).Append("</tspan>");
            svg.Append("</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Words into lines of at most <paramref name="width"/> characters (a longer word keeps a line of its own).</summary>
    public static IReadOnlyList<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.Length > 0 && current.Length + 1 + word.Length > width)
            {
                lines.Add(current);
                current = word;
            }
            else current = current.Length == 0 ? word : current + " " + word;
        }
        if (current.Length > 0 || lines.Count == 0) lines.Add(current);
        return lines;
    }

    /// <summary>Two lines over the twelve months (local date), one per year, on one kg axis.</summary>
    public static string MonthLines(AnnualReport r)
    {
        var rows = r.Table("month").Rows;
        const int width = 640, height = 260, left = 60, bottom = 40, top = 15, right = 20;
        var max = Axis(rows.SelectMany(x => new[] { x.Year.Grams, x.Baseline.Grams }).DefaultIfEmpty(0m).Max() / 1000m);
        var plot = height - top - bottom;
        var step = (width - left - right) / 11m;
        var svg = new StringBuilder();
        svg.Append($"<svg role=\"img\" aria-label=\"mass by month\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">");
        Grid(svg, left, top, plot, width - right, max);
        string Points(Func<ComparisonRow, decimal> grams) => string.Join(' ', rows.Select((row, i) =>
            $"{F(left + i * step)},{F(top + plot - grams(row) / 1000m / max * plot)}"));
        svg.Append($"<polyline fill=\"none\" stroke=\"{BaselineColour}\" stroke-width=\"2\" points=\"{Points(x => x.Baseline.Grams)}\"><title>{r.Baseline}</title></polyline>");
        svg.Append($"<polyline fill=\"none\" stroke=\"{YearColour}\" stroke-width=\"2\" points=\"{Points(x => x.Year.Grams)}\"><title>{r.Year}</title></polyline>");
        for (var i = 0; i < rows.Count; i++)
            svg.Append($"<text x=\"{F(left + i * step)}\" y=\"{height - bottom + 14}\" font-size=\"9\" text-anchor=\"middle\">{rows[i].Name[..3]}</text>");
        return svg.Append("</svg>").ToString();
    }

    private static void Grid(StringBuilder svg, int left, int top, int plot, int right, decimal max)
    {
        for (var i = 0; i <= 4; i++)
        {
            var value = max * i / 4;
            var y = top + plot - plot * i / 4m;
            svg.Append($"<line x1=\"{left}\" y1=\"{F(y)}\" x2=\"{right}\" y2=\"{F(y)}\" stroke=\"#ddd\"/>")
                .Append($"<text x=\"{left - 4}\" y=\"{F(y + 3)}\" font-size=\"9\" text-anchor=\"end\">{F(value)}</text>");
        }
        svg.Append($"<text x=\"12\" y=\"{top + plot / 2}\" font-size=\"9\" transform=\"rotate(-90 12 {top + plot / 2})\" text-anchor=\"middle\">kg</text>");
        svg.Append($"<line x1=\"{left}\" y1=\"{top + plot}\" x2=\"{right}\" y2=\"{top + plot}\" stroke=\"#333\"/>");
    }

    private static void BarRect(StringBuilder svg, int x, decimal kg, decimal max, int top, int plot, int width, string colour, string title)
    {
        var h = kg / max * plot;
        svg.Append($"<rect x=\"{x}\" y=\"{F(top + plot - h)}\" width=\"{width - 2}\" height=\"{F(h)}\" fill=\"{colour}\">")
            .Append("<title>").Append(E($"{title}: {Kg3(kg * 1000m)} kg")).Append("</title></rect>");
    }

    /// <summary>A round axis maximum at or above the largest value (1, 2 or 5 times a power of ten); 1 when there is nothing.</summary>
    private static decimal Axis(decimal max)
    {
        if (max <= 0) return 1m;
        var power = 1m;
        while (power * 10 <= max) power *= 10;
        while (power > max) power /= 10;
        foreach (var m in new[] { 1m, 2m, 5m, 10m })
            if (power * m >= max) return power * m;
        return power * 10;
    }

    private static string F(decimal v) => Math.Round(v, 1).ToString("0.#", CultureInfo.InvariantCulture);
    private static string E(string text) => WebUtility.HtmlEncode(text);
    private static string Int(int v) => v.ToString("N0", CultureInfo.InvariantCulture);
    private static string Kg3(decimal grams) => (grams / 1000m).ToString("#,0.000", CultureInfo.InvariantCulture);
    private static string Pct(decimal? p) => p is { } v ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : "–";
    private static string Share(decimal? p) => p is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";
    private static string Td(string v) => "<td>" + v + "</td>";

    private static void Prov(StringBuilder h, string name, string value) =>
        h.Append("<tr><th class=\"k\">").Append(E(name)).Append("</th><td>").Append(E(value)).Append("</td></tr>");

    private static void Total(StringBuilder h, string measure, string unit, string year, string baseline, string? change)
    {
        h.Append("<tr><td class=\"k\">").Append(E(measure)).Append("</td><td>").Append(unit).Append("</td>")
            .Append(Td(year)).Append(Td(baseline));
        if (change is not null) h.Append(Td(change));
        h.Append("</tr>");
    }
}
