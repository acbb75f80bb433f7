using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>
/// The screening work one entry covers: at a facility, of one kind (vocabulary <c>effort-kinds</c>), on one local day
/// (<paramref name="Period"/> "day", From = To) or in one local month ("month", From the 1st, To its last day).
/// <paramref name="Amount"/> is screenings (parcels X-rayed, visitors searched, cell or staff searches) or hours (dog teams).
/// </summary>
public sealed record EffortFigures(string Facility, string Kind, string Period, DateOnly From, DateOnly To, decimal Amount)
{
    public int MonthIndex => MonthlyBucket.IndexOf(From.Year, From.Month);
    public string Label => Period == EffortRecord.Day ? From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : From.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

/// <summary>The first event of an effort entry's stream (one stream per entry).</summary>
public sealed record EffortRecorded(Guid EffortId, EffortFigures Figures, string? Notes, Actor By, DateTimeOffset At) : IAttributedEvent;

/// <summary>The entry's figures as they should have been; the earlier ones stay in the history.</summary>
public sealed record EffortCorrected(Guid EffortId, EffortFigures Figures, string Reason, Actor By, DateTimeOffset At) : IAttributedEvent;

/// <summary>The entry no longer counts (entered twice, wrong facility…); it stays in the history.</summary>
public sealed record EffortVoided(Guid EffortId, string Reason, Actor By, DateTimeOffset At) : IAttributedEvent;

/// <summary>
/// One search-effort entry, folded from its own stream and kept as an inline snapshot: the write model its corrections
/// decide on, and the document the rates query (facility and month index are duplicated, indexed columns).
/// </summary>
public sealed class EffortRecord : IChangeable
{
    public const string Day = "day";
    public const string Month = "month";

    public static VersionedResource Resource { get; } = new("effort entry", "GET /api/effort/{id}");

    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Facility { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Period { get; set; } = Month;
    public DateOnly From { get; set; }
    public DateOnly To { get; set; }
    public int MonthIndex { get; set; }
    public decimal Amount { get; set; }
    public string? Notes { get; set; }
    public bool Voided { get; set; }
    public string? VoidReason { get; set; }
    public Actor RecordedBy { get; set; } = new("", "");
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset LastChangedAt { get; set; }

    public EffortFigures Figures => new(Facility, Kind, Period, From, To, Amount);

    /// <summary>Effort is recorded where the searching is done; no copy comes from a partner.</summary>
    public ProblemDetails? RefuseAsCopy() => null;

    public static EffortRecord Create(EffortRecorded e)
    {
        var r = new EffortRecord { Id = e.EffortId, Notes = e.Notes, RecordedBy = e.By, RecordedAt = e.At };
        r.Set(e.Figures, e.At);
        return r;
    }

    public void Apply(EffortCorrected e) => Set(e.Figures, e.At);

    public void Apply(EffortVoided e)
    {
        Voided = true;
        VoidReason = e.Reason;
        LastChangedAt = e.At;
    }

    private void Set(EffortFigures f, DateTimeOffset at)
    {
        Facility = f.Facility;
        Kind = f.Kind;
        Period = f.Period;
        From = f.From;
        To = f.To;
        MonthIndex = f.MonthIndex;
        Amount = f.Amount;
        LastChangedAt = at;
    }
}
