using System.Globalization;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;

namespace SeizureIntel.Reports.Annual;

public enum ReportFormat { Html, Csv, Xlsx, Json }

/// <summary>
/// The report's parameters as text (query string or command line), checked in one place so the API and the command
/// refuse the same things with the same words. Every bad parameter is named at once.
/// </summary>
public static class AnnualReportParameters
{
    public const int MinYear = 1990;

    public static (AnnualReportRequest? Request, ReportFormat Format) Parse(
        string? year, string? baseline, string? asOf, string? agency, string? format, DateTimeOffset now, Problems problems, string? lang = null,
        string? national = null, string? edition = null)
    {
        var language = string.IsNullOrWhiteSpace(lang) ? ReportText.English : lang.Trim().ToLowerInvariant();
        if (!ReportText.Languages.Contains(language)) problems.Fail("lang", "must be en or ru");
        var y = ParseYear(year, "year", now, problems);
        int? b = null;
        if (string.IsNullOrWhiteSpace(baseline)) b = y - 1;
        else if (ParseYear(baseline, "baseline", now, problems) is { } parsed)
        {
            if (parsed == y) problems.Fail("baseline", "must be another year than the report's year");
            else b = parsed;
        }

        DateTimeOffset? cutOff = null;
        if (!string.IsNullOrWhiteSpace(asOf))
        {
            if (!SeizureFields.TryParseInstant(asOf, out var instant))
                problems.Fail("asOf", "must be an ISO 8601 date-time with an offset or Z, e.g. 2016-01-31T00:00:00+06:00");
            else if (instant > now)
                problems.Fail("asOf", "is in the future: a report as at a later instant could still change");
            else cutOff = instant;
        }

        var code = problems.Agency("agency", agency);
        var country = Intelligence.National.NationalFigures.Country(problems, "national", national);
        if (string.IsNullOrWhiteSpace(national) && !string.IsNullOrWhiteSpace(edition)) problems.Fail("edition", "is taken only with national=");

        var f = ReportFormat.Html;
        if (!string.IsNullOrWhiteSpace(format))
        {
            switch (format.Trim().ToLowerInvariant())
            {
                case "html": f = ReportFormat.Html; break;
                case "csv": f = ReportFormat.Csv; break;
                case "xlsx": f = ReportFormat.Xlsx; break;
                case "json": f = ReportFormat.Json; break;
                default: problems.Fail("format", "must be html, csv, xlsx or json"); break;
            }
        }

        return problems.Any || y is null || b is null ? (null, f) : (new AnnualReportRequest(y.Value, b.Value, cutOff, code, language, country, string.IsNullOrWhiteSpace(edition) ? null : edition.Trim()), f);
    }

    private static int? ParseYear(string? text, string field, DateTimeOffset now, Problems problems)
    {
        if (string.IsNullOrWhiteSpace(text)) { problems.Fail(field, "is required"); return null; }
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            problems.Fail(field, "must be a year such as 2015");
            return null;
        }
        if (year < MinYear || year > now.Year + 1)
        {
            problems.Fail(field, $"must be between {MinYear} and {now.Year + 1}");
            return null;
        }
        return year;
    }

    public static string ContentType(ReportFormat format) => format switch
    {
        ReportFormat.Html => "text/html; charset=utf-8",
        ReportFormat.Csv => "text/csv; charset=utf-8",
        ReportFormat.Json => "application/json; charset=utf-8",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };

    public static string FileName(AnnualReportRequest r, ReportFormat format) =>
        $"annual-report-{r.Year}-vs-{r.Baseline}{(r.Agency is null ? "" : "-" + r.Agency.ToLowerInvariant())}" +
        $"{(r.AsOf is { } a ? "-as-of-" + a.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) : "")}" +
        "." + format.ToString().ToLowerInvariant();

    public static byte[] Render(AnnualReport report, ReportFormat format) => format switch
    {
        ReportFormat.Html => System.Text.Encoding.UTF8.GetBytes(AnnualReportHtml.Render(report)),
        ReportFormat.Csv => System.Text.Encoding.UTF8.GetBytes(AnnualReportCsv.Render(report)),
        // the model every renderer draws from, as the API's other answers are written (camelCase)
        ReportFormat.Json => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(report, System.Text.Json.JsonSerializerOptions.Web),
        _ => AnnualReportXlsx.Render(report),
    };
}
