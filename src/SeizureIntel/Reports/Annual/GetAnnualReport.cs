using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Reports.Annual;

public static class GetAnnualReportEndpoint
{
    /// <summary>
    /// The annual comparison report: year against baseline (default year − 1), as HTML (default), CSV, XLSX or JSON (the
    /// model the others are drawn from). With
    /// asOf (ISO 8601 instant, not in the future), both years as they stood then, recomputed from the events recorded up
    /// to that instant; with agency, that agency's records only; lang=ru gives names, headings and the headline in
    /// Russian (the CSV keeps its column names). With national=KGZ (ISO 3166-1 alpha-3; edition= names a UNODC edition,
    /// default the newest) a section "Beside the national figures" gives, for both years and every substance group, the
    /// node's own mass beside the country's seizures reported to UNODC, the share in %, the figure's caveats and a sentence,
    /// with the source and edition cited; with no edition imported the section says so (a named edition not imported: 404).
    /// 400 problem details name every bad parameter.
    /// </summary>
    [WolverineGet("/api/reports/annual/{year}", OperationId = "getAnnualReport")]
    public static async Task<IResult> Get(string year, string? baseline, string? asOf, string? agency, string? format, string? lang,
        string? national, string? edition, AnnualReports reports, TimeProvider time, CancellationToken token)
    {
        var problems = new Problems();
        var (request, reportFormat) = AnnualReportParameters.Parse(year, baseline, asOf, agency, format, time.GetUtcNow(), problems, lang,
            national, edition);
        if (request is null) return TypedResults.Problem(problems.Invalid("Bad report parameters"));
        if (await reports.MissingEditionAsync(request, token) is { } missing) return TypedResults.Problem(missing);

        var report = await reports.BuildAsync(request, token);
        var bytes = AnnualReportParameters.Render(report, reportFormat);
        return reportFormat is ReportFormat.Html or ReportFormat.Json
            ? TypedResults.Bytes(bytes, AnnualReportParameters.ContentType(reportFormat))
            : TypedResults.File(bytes, AnnualReportParameters.ContentType(reportFormat), AnnualReportParameters.FileName(request, reportFormat));
    }
}

public static class ReportsSetup
{
    public static void AddReports(this WebApplicationBuilder builder) => builder.Services.AddSingleton<AnnualReports>();
}
