using System.Globalization;
using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Recording;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Seizures.LabAnalysis;

/// <summary>An analytical technique and its SWGDRUG category (A highest discriminating power, C lowest).</summary>
public sealed record LabTechnique(string Name, string Category);

public sealed record TechniqueInput(string? Name, string? Category);

/// <summary>
/// The lab's report: confirmed substance, net weight in grams, purity, techniques. Its net weight replaces the field
/// estimate in every total, and its substance replaces the field substance.
/// </summary>
public sealed record ReportLabAnalysis(
    string? LabCaseNumber, string? ConfirmedSubstance, decimal? NetWeightGrams, decimal? PurityPercent,
    List<TechniqueInput>? Techniques, string? Analyst, string? ReportDate);

public sealed record LabAnalysisReported(
    Guid SeizureId, string Lab, string LabCaseNumber, string ConfirmedSubstance, decimal NetWeightGrams, decimal? PurityPercent,
    IReadOnlyList<LabTechnique> Techniques, string Analyst, DateOnly ReportDate, Actor By, DateTimeOffset At)
    : ISeizureEvent, IAttributedEvent;

public sealed record ValidLabReport(string? LabCaseNumber, string Substance, decimal NetWeightGrams, decimal? PurityPercent,
    IReadOnlyList<LabTechnique> Techniques, string Analyst, DateOnly ReportDate);

public static class ReportLabAnalysisEndpoint
{
    public const string Title = "The lab result was not recorded";

    public static (ValidLabReport? Report, Problems Problems) Check(ReportLabAnalysis command, SeizureFields fields, ReferenceData reference, DateTimeOffset now)
    {
        var problems = new Problems();
        var substance = fields.Code(problems, "confirmedSubstance", ReferenceData.Substances, command.ConfirmedSubstance, required: true);
        if (command.NetWeightGrams is not { } grams) problems.Fail("netWeightGrams", "is required");
        else SeizureFields.QuantityValue(problems, "netWeightGrams", grams, "g", SeizureFields.MaxGrams);
        if (command.PurityPercent is < 0 or > 100) problems.Fail("purityPercent", "must be between 0 and 100");
        else if (command.PurityPercent is { } purity && decimal.Round(purity, 4) != purity) problems.Fail("purityPercent", "must have at most 4 decimal places");
        if (command.LabCaseNumber is { Length: > 100 }) problems.Fail("labCaseNumber", "must be at most 100 characters");
        var techniques = new List<LabTechnique>();
        if (command.Techniques is not { Count: > 0 }) problems.Fail("techniques", "name at least one technique with its SWGDRUG category");
        else if (Bounds.Count(problems, "techniques", command.Techniques))
            for (var i = 0; i < command.Techniques.Count; i++)
            {
                if (command.Techniques[i] is not { } t) { problems.Fail($"techniques[{i}]", "must be an object with name and category"); continue; }
                var name = problems.RequireText($"techniques[{i}].name", t.Name, 200);
                var category = fields.Code(problems, $"techniques[{i}].category", ReferenceData.SwgdrugCategories, t.Category, required: true);
                if (name is not null && category is not null) techniques.Add(new LabTechnique(name, category));
            }
        var analyst = problems.RequireText("analyst", command.Analyst, 200);
        DateOnly reportDate = default;
        if (string.IsNullOrWhiteSpace(command.ReportDate)) problems.Fail("reportDate", "is required");
        else if (!DateOnly.TryParseExact(command.ReportDate.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out reportDate))
            problems.Fail("reportDate", "must be a date such as 2016-02-03");
        else if (reportDate > DateOnly.FromDateTime(now.UtcDateTime.AddDays(1))) problems.Fail("reportDate", "is in the future");
        else Bounds.Year(problems, "reportDate", reportDate.Year, now);

        return problems.Any
            ? (null, problems)
            : (new ValidLabReport(string.IsNullOrWhiteSpace(command.LabCaseNumber) ? null : command.LabCaseNumber.Trim(),
                substance!, command.NetWeightGrams!.Value, command.PurityPercent, techniques, analyst!, reportDate), problems);
    }

    public static ProblemDetails Validate(ReportLabAnalysis command, SeizureFields fields, ReferenceData reference, TimeProvider time)
    {
        if (command is null) return Problems.NoBody(Title);
        var (_, problems) = Check(command, fields, reference, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Pure: a result only for evidence that went to a lab, under one of its case numbers.</summary>
    public static Decision Decide(Seizure seizure, ValidLabReport report, Actor by, DateTimeOffset now)
    {
        if (seizure.RefuseIfVoided(Title) is { } refused) return refused;
        if (seizure.LabSubmissions.Count == 0)
            return Decision.Refuse(Problems.Refused("seizure", "was never submitted to a lab; record the submission first", Title));
        var submission = report.LabCaseNumber is null
            ? seizure.LabSubmissions.Count == 1 ? seizure.LabSubmissions[0] : null
            : seizure.LabSubmissions.FirstOrDefault(s => s.LabCaseNumber == report.LabCaseNumber);
        if (submission is null)
            return Decision.Refuse(Problems.Refused("labCaseNumber", report.LabCaseNumber is null
                ? $"is required: the evidence went to the lab under {string.Join(", ", seizure.LabSubmissions.Select(s => s.LabCaseNumber))}"
                : $"{report.LabCaseNumber} is not a case this evidence was submitted under", Title));
        return Decision.Append(new LabAnalysisReported(seizure.Id, submission.Lab, submission.LabCaseNumber, report.Substance,
            report.NetWeightGrams, report.PurityPercent, report.Techniques, report.Analyst, report.ReportDate, by, now));
    }

    /// <summary>Record a lab's analysis of the evidence. Requires If-Match with the seizure's ETag.</summary>
    [WolverinePost("/api/seizures/{id}/lab-results", OperationId = "reportLabAnalysis")]
    public static (IResult, Events) Post(ReportLabAnalysis command, [Change] Seizure seizure, SeizureFields fields, ReferenceData reference, Actor by,
        TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (report, _) = Check(command, fields, reference, now);
        return Decide(seizure, report!, by, now).Answer(seizure);
    }
}
