using SeizureIntel.Intelligence.Effort;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using SeizureIntel.Agencies;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.JointOperations;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using Wolverine.Http;

namespace SeizureIntel.Intelligence.Years;

/// <summary>Every counted seizure whose local date falls in one year, across agencies and facilities. Id: the year.</summary>
public sealed class YearSummary : Summary
{
    public int Year { get; set; }

    /// <summary>Null for the whole year; an agency code for that agency's records only (Id "2015/SSEP").</summary>
    public string? Agency { get; set; }
    public SortedDictionary<string, Tally> BySubstance { get; set; } = new();
    public SortedDictionary<string, Tally> ByGroup { get; set; } = new();
    public SortedDictionary<string, Tally> ByAgency { get; set; } = new();
    public SortedDictionary<string, Tally> ByFacility { get; set; } = new();
    public SortedDictionary<string, Tally> ByDetection { get; set; } = new();
    public SortedDictionary<string, Tally> ByEntry { get; set; } = new();
    public SortedDictionary<string, Tally> ByOblast { get; set; } = new();
    public SortedDictionary<string, Tally> ByMonth { get; set; } = new();

    public const string NoFacility = "none";
    public const string UnknownOblast = "unknown";

    public static string IdFor(int year) => year.ToString();

    /// <summary>
    /// A year's summary recomputed from facts replayed as of an instant (<see cref="LedgerReplay"/>): the one fold behind
    /// GET /api/years/{year}/summary?asOf= and the annual report as of a cut-off, so the two cannot disagree.
    /// </summary>
    public static YearSummary From(IEnumerable<SeizureFact> facts, int year, string? agency, ReferenceData reference)
    {
        var summary = new YearSummary { Id = IdFor(year, agency), Year = year, Agency = agency };
        foreach (var fact in facts)
            if (fact.Contribution(reference) is { } c && c.Year == year && (agency is null || c.Agency == agency)) summary.Add(c, +1);
        return summary;
    }
    public static string IdFor(int year, string? agency) => agency is null ? IdFor(year) : $"{year}/{agency}";

    protected override void AddToBreakdowns(Contribution c, Change change)
    {
        Add(BySubstance, c.Substance, change);
        Add(ByGroup, c.SubstanceGroup, change);
        Add(ByAgency, c.Agency, change);
        Add(ByFacility, c.FacilityId ?? NoFacility, change);
        Add(ByOblast, c.Oblast ?? UnknownOblast, change);
        Add(ByDetection, c.Detection, change);
        Add(ByEntry, c.Entry, change);
        Add(ByMonth, Rows.MonthKey(c.Month), change);
    }
}

public sealed record YearSummaryView(
    int Year, string? Agency, DateTimeOffset? AsOf, int Count, decimal Grams, decimal LabConfirmedGrams, decimal? LabConfirmedPercent, int WithoutMass,
    IReadOnlyList<SubstanceRow> BySubstance, IReadOnlyList<GroupRow> ByGroup, IReadOnlyList<AgencyRow> ByAgency,
    IReadOnlyList<FacilityRow> ByFacility, IReadOnlyList<OblastRow> ByOblast, IReadOnlyList<DetectionRow> ByDetection, IReadOnlyList<EntryRow> ByEntry,
    IReadOnlyList<MonthRow> ByMonth, JointOperationsYear JointOperations, IReadOnlyList<FacilityEffort> Effort);

public static class GetYearSummaryEndpoint
{
    /// <summary>
    /// Totals of one year (seizures counted by their local date), by substance, group, agency, facility, detection, method
    /// of entry and month. With asOf (ISO 8601 instant), the year as it stood then, recomputed from the events recorded up to
    /// that instant. With agency, that agency's records only (a partner's records count under their origin agency) and the
    /// joint operations it led. Effort: finds and grams per 1,000 screenings at each facility with search effort recorded in
    /// the year (see GET /api/facilities/{id}/rates), only the kinds recorded there.
    /// </summary>
    [WolverineGet("/api/years/{year}/summary", OperationId = "getYearSummary")]
    public static async Task<Results<Ok<YearSummaryView>, ProblemHttpResult>> Get(
        int year, string? asOf, string? agency, ReferenceData reference, QuantityConverter converter, IQuerySession session, CancellationToken token)
    {
        if (agency is not null)
        {
            var problems = new Problems();
            agency = problems.Agency("agency", agency);
            if (problems.Any) return TypedResults.Problem(problems.Invalid("Bad agency"));
        }
        YearSummary s;
        DateTimeOffset? cutOff = null;
        if (string.IsNullOrWhiteSpace(asOf))
        {
            s = await session.LoadAsync<YearSummary>(YearSummary.IdFor(year, agency), token) ?? new YearSummary { Year = year, Agency = agency };
        }
        else
        {
            if (!SeizureFields.TryParseInstant(asOf, out var instant))
                return TypedResults.Problem(Problems.Invalid("asOf", "must be an ISO 8601 date-time with an offset or Z", "Bad asOf"));
            cutOff = instant;
            s = YearSummary.From(await LedgerReplay.FactsAsOfAsync(session, instant, converter, token), year, agency, reference);
        }

        return TypedResults.Ok(new YearSummaryView(year, agency, cutOff, s.Total.Count, s.Total.Grams, s.Total.LabConfirmedGrams,
            Rows.LabConfirmedShare(s.Total), s.Total.WithoutMass, Rows.Substances(s.BySubstance, reference.GroupOf),
            Rows.Groups(s.ByGroup), Rows.Agencies(s.ByAgency), Rows.Facilities(s.ByFacility), Rows.Oblasts(s.ByOblast), Rows.Detections(s.ByDetection),
            Rows.Entries(s.ByEntry), Rows.Months(s.ByMonth), (await JointOperationYears.ComputeAsync(session, year, cutOff, converter, token)).LedBy(agency),
            await YearRates.ForYearAsync(session, year, cutOff, agency, reference, converter, token)));
    }
}
