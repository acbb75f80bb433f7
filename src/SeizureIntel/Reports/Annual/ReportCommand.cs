using JasperFx.CommandLine;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;

namespace SeizureIntel.Reports.Annual;

public sealed class ReportInput : NetCoreInput
{
    [Description("Which report: annual (the only one so far)")]
    public string Report { get; set; } = "";

    [Description("The report's year, e.g. 2015")]
    public string YearFlag { get; set; } = "";

    [Description("The year to compare with (default: year - 1)")]
    public string BaselineFlag { get; set; } = "";

    [Description("Compute both years from the events recorded up to this instant (ISO 8601 with offset), e.g. 2016-01-31T00:00:00+06:00")]
    [FlagAlias("as-of", true)] // no short form: -a is --applicationname
    public string AsOfFlag { get; set; } = "";

    [Description("One agency's records only: SSEP, SSDC or MVD")]
    [FlagAlias("agency", true)]
    public string AgencyFlag { get; set; } = "";

    [Description("Set the substance groups beside this country's seizures reported to UNODC, e.g. KGZ")]
    [FlagAlias("national", true)]
    public string NationalFlag { get; set; } = "";

    [Description("The UNODC edition to cite with --national (default: the newest imported), e.g. 2024-06")]
    [FlagAlias("edition", true)]
    public string EditionFlag { get; set; } = "";

    [Description("html, csv, xlsx or json (default html)")]
    public string FormatFlag { get; set; } = "";

    [Description("File to write the report to")]
    [FlagAlias("out", 'o')]
    public string OutFlag { get; set; } = "";
}

/// <summary>
/// <c>report annual --year 2015 --baseline 2014 [--as-of ...] [--agency SSEP] --format html|csv|xlsx --out FILE</c>:
/// the same report as GET /api/reports/annual/{year}, computed from this node's store and written to a file. Needs no
/// running node (nor its async daemon); without --as-of it reads the read models as the daemon last left them.
/// </summary>
[Description("Generate a report, e.g. report annual --year 2015 --baseline 2014 --as-of 2016-01-31T00:00:00+06:00 --format html --out report.html", Name = "report")]
public sealed class ReportCommand : JasperFxAsyncCommand<ReportInput>
{
    public ReportCommand()
    {
        Usage("An annual comparison report").Arguments(x => x.Report)
            .ValidFlags(x => x.YearFlag, x => x.BaselineFlag, x => x.AsOfFlag, x => x.AgencyFlag, x => x.NationalFlag, x => x.EditionFlag, x => x.FormatFlag,
                x => x.OutFlag);
    }

    public override async Task<bool> Execute(ReportInput input)
    {
        if (!string.Equals(input.Report?.Trim(), "annual", StringComparison.OrdinalIgnoreCase))
            return Fail($"unknown report '{input.Report}': the reports are: annual");
        if (string.IsNullOrWhiteSpace(input.OutFlag)) return Fail("--out FILE is required");

        using var host = input.BuildHost();
        var (request, format, problems) = Parse(input, host.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        if (request is null)
            return Fail(string.Join("; ", problems.Errors.Select(e => $"--{Flag(e.Key)} {string.Join(", ", e.Value)}")));

        var reports = host.Services.GetRequiredService<AnnualReports>();
        if (await reports.MissingEditionAsync(request, CancellationToken.None) is not null)
            return Fail($"--edition {request.Edition}: no such UNODC edition is imported (POST /api/reference-series/unodc)");
        var report = await reports.BuildAsync(request, CancellationToken.None);
        var path = Path.GetFullPath(input.OutFlag);
        await File.WriteAllBytesAsync(path, AnnualReportParameters.Render(report, format));
        Console.WriteLine(report.Headline);
        Console.WriteLine($"report annual: wrote {path} ({format.ToString().ToLowerInvariant()}, high-water mark {report.Provenance.HighWaterMark}, " +
                          $"conversion table {report.Provenance.ConversionTableVersion})");
        return true;
    }

    public static (AnnualReportRequest? Request, ReportFormat Format, Problems Problems) Parse(ReportInput input, DateTimeOffset now)
    {
        var problems = new Problems();
        var (request, format) = AnnualReportParameters.Parse(input.YearFlag, input.BaselineFlag, input.AsOfFlag, input.AgencyFlag,
            input.FormatFlag, now, problems, national: input.NationalFlag, edition: input.EditionFlag);
        return (request, format, problems);
    }

    private static string Flag(string parameter) => parameter == "asOf" ? "as-of" : parameter;

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"report: {message}");
        return false;
    }
}
