using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Calendar;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Operations;

/// <summary>Every event of a joint operation's stream (one stream per operation): who did it and when, always.</summary>
public interface IOperationEvent : IAttributedEvent
{
    Guid OperationId { get; }
}

/// <summary>An area as a GeoJSON Polygon: rings of [longitude, latitude] positions (WGS 84), the first ring the outer one.</summary>
public sealed record OperationArea(string Type, IReadOnlyList<IReadOnlyList<double[]>> Coordinates);

/// <summary>The first event of every operation stream: what was agreed before anyone moved.</summary>
public sealed record JointOperationPlanned(
    Guid OperationId,
    string CodeName,
    string LeadAgency,
    IReadOnlyList<string> Agencies,
    IReadOnlyList<string> TargetFacilities,
    OperationArea? Area,
    DateTimeOffset PlannedStart,
    DateTimeOffset PlannedEnd,
    string LegalBasis,
    Actor By,
    DateTimeOffset At) : IOperationEvent;

public sealed record AgencyJoined(Guid OperationId, string Agency, string? Reason, Actor By, DateTimeOffset At) : IOperationEvent;

public sealed record AgencyLeft(Guid OperationId, string Agency, string Reason, Actor By, DateTimeOffset At) : IOperationEvent;

/// <summary>The operation started at <paramref name="LaunchedAt"/>; it counts in the year of <paramref name="LocalDate"/>.</summary>
public sealed record JointOperationLaunched(
    Guid OperationId, DateTimeOffset LaunchedAt, DateOnly LocalDate, string TimeZone, Actor By, DateTimeOffset At) : IOperationEvent;

/// <summary>A seizure of a participating agency joined the operation; <paramref name="Via"/> is "link" or "recording".</summary>
public sealed record SeizureLinked(
    Guid OperationId, Guid SeizureId, string SeizureReference, string SeizureAgency, string Via, Actor By, DateTimeOffset At) : IOperationEvent;

public sealed record SeizureUnlinked(Guid OperationId, Guid SeizureId, string SeizureReference, string Reason, Actor By, DateTimeOffset At)
    : IOperationEvent;

public sealed record ArrestsRecorded(Guid OperationId, int Count, IReadOnlyList<string> Charges, string? Notes, Actor By, DateTimeOffset At)
    : IOperationEvent;

public sealed record CriminalCaseOpened(Guid OperationId, string CaseNumber, string Agency, DateOnly? OpenedOn, Actor By, DateTimeOffset At)
    : IOperationEvent;

public sealed record JointOperationConcluded(Guid OperationId, DateTimeOffset ConcludedAt, string Summary, Actor By, DateTimeOffset At)
    : IOperationEvent;

public sealed record JointOperationCancelled(Guid OperationId, string Reason, Actor By, DateTimeOffset At) : IOperationEvent;

public enum OperationStatus
{
    Planned,
    Launched,
    Concluded,
    Cancelled,
}

public sealed record LinkedSeizure(Guid SeizureId, string Reference, string Agency, string Via, Actor By, DateTimeOffset At);
public sealed record ArrestRecord(int Count, IReadOnlyList<string> Charges, string? Notes, Actor By, DateTimeOffset At);
public sealed record CriminalCase(string CaseNumber, string Agency, DateOnly? OpenedOn, Actor By, DateTimeOffset At);

/// <summary>
/// The state of one joint operation, folded from its own stream. Marten keeps it as an inline snapshot: it is the
/// write model the use cases decide on, and the document lists and the year figures query.
/// planned → launched → concluded; planned or launched → cancelled. Concluded and cancelled take no more changes.
/// </summary>
public sealed class JointOperation : IChangeable
{
    public static VersionedResource Resource => VersionedResource.JointOperation;

    public Guid Id { get; set; }
    public long Version { get; set; }
    public string CodeName { get; set; } = "";
    public string LeadAgency { get; set; } = "";
    public List<string> Agencies { get; set; } = [];
    public List<string> TargetFacilities { get; set; } = [];
    public OperationArea? Area { get; set; }
    public DateTimeOffset PlannedStart { get; set; }
    public DateTimeOffset PlannedEnd { get; set; }
    public string LegalBasis { get; set; } = "";
    public Actor PlannedBy { get; set; } = new("", "");
    public DateTimeOffset PlannedAt { get; set; }

    public OperationStatus Status { get; set; }
    public DateTimeOffset? LaunchedAt { get; set; }
    public DateOnly? LaunchDate { get; set; }
    public DateTimeOffset? ConcludedAt { get; set; }
    public string? Summary { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancellationReason { get; set; }

    public List<LinkedSeizure> Seizures { get; set; } = [];
    public List<ArrestRecord> Arrests { get; set; } = [];
    public List<CriminalCase> Cases { get; set; } = [];

    /// <summary>The year the operation is listed under: the local year of its launch, or of its planned start until it is launched.</summary>
    public int Year { get; set; }

    /// <summary>The year whose figures count it: the local year of its launch; none before launch or once cancelled.</summary>
    public int? CountedYear { get; set; }

    [JsonIgnore] public int ArrestCount => Arrests.Sum(a => a.Count);
    [JsonIgnore] public bool Closed => ClosedBecause is not null;

    /// <summary>Why the operation takes no more changes ("was concluded at …", "was cancelled (…)"); null while it is open.</summary>
    [JsonIgnore] public string? ClosedBecause => Status switch
    {
        OperationStatus.Concluded => $"was concluded at {ConcludedAt:O}",
        OperationStatus.Cancelled => $"was cancelled ({CancellationReason})",
        _ => null,
    };

    /// <summary>A partner's operation is changed only where it was planned; here it is a copy.</summary>
    public ProblemDetails? RefuseAsCopy() => Received
        ? OperationProblems.Refused("operation", $"is {OriginAgency}'s operation, received over sharing; only {OriginAgency} can change it",
            "Not this node's operation")
        : null;

    public bool Links(Guid seizureId) => Seizures.Any(s => s.SeizureId == seizureId);

    /// <summary>Operations are dated in Kyrgyzstan's time: a launch counts in the year of its local date in Bishkek.</summary>
    public static DateOnly LocalDateOf(DateTimeOffset instant) => LocalCalendar.LocalDate(instant);

    public static JointOperation Create(JointOperationPlanned e) => new()
    {
        Id = e.OperationId,
        CodeName = e.CodeName,
        LeadAgency = e.LeadAgency,
        Agencies = [.. e.Agencies],
        TargetFacilities = [.. e.TargetFacilities],
        Area = e.Area,
        PlannedStart = e.PlannedStart,
        PlannedEnd = e.PlannedEnd,
        LegalBasis = e.LegalBasis,
        PlannedBy = e.By,
        PlannedAt = e.At,
        Status = OperationStatus.Planned,
        Year = LocalDateOf(e.PlannedStart).Year,
    };

    public void Apply(AgencyJoined e)
    {
        if (!Agencies.Contains(e.Agency)) Agencies.Add(e.Agency);
    }

    public void Apply(AgencyLeft e) => Agencies.Remove(e.Agency);

    public void Apply(JointOperationLaunched e)
    {
        Status = OperationStatus.Launched;
        LaunchedAt = e.LaunchedAt;
        LaunchDate = e.LocalDate;
        Year = e.LocalDate.Year;
        CountedYear = e.LocalDate.Year;
    }

    public void Apply(SeizureLinked e)
    {
        if (!Links(e.SeizureId)) Seizures.Add(new LinkedSeizure(e.SeizureId, e.SeizureReference, e.SeizureAgency, e.Via, e.By, e.At));
    }

    public void Apply(SeizureUnlinked e) => Seizures.RemoveAll(s => s.SeizureId == e.SeizureId);

    public void Apply(ArrestsRecorded e) => Arrests.Add(new ArrestRecord(e.Count, e.Charges, e.Notes, e.By, e.At));

    public void Apply(CriminalCaseOpened e) => Cases.Add(new CriminalCase(e.CaseNumber, e.Agency, e.OpenedOn, e.By, e.At));

    public void Apply(JointOperationConcluded e)
    {
        Status = OperationStatus.Concluded;
        ConcludedAt = e.ConcludedAt;
        Summary = e.Summary;
    }

    public void Apply(JointOperationCancelled e)
    {
        Status = OperationStatus.Cancelled;
        CancelledAt = e.At;
        CancellationReason = e.Reason;
        CountedYear = null;
    }

    /// <summary>A partner planned this operation and shared it with us: read-only here, replaced by each newer version.</summary>
    public bool Received { get; set; }
    public string? OriginAgency { get; set; }
    public long OriginVersion { get; set; }

    /// <summary>
    /// Whether this node's agency takes part. Always so for an operation planned here; a received one stops when the
    /// origin's last update to us no longer lists our agency (we left): it then counts in no year here, and takes part
    /// again if a later version lists us again (we were added back).
    /// </summary>
    public bool TakesPart { get; set; } = true;

    public static JointOperation Create(PartnerOperationReceived e)
    {
        var operation = new JointOperation { Id = e.OperationId };
        operation.Apply(e);
        return operation;
    }

    public void Apply(PartnerOperationReceived e)
    {
        var o = e.Operation;
        var partner = new Actor($"partner:{e.OriginAgency}", e.OriginAgency);
        Received = true;
        OriginAgency = e.OriginAgency;
        OriginVersion = e.OriginVersion;
        CodeName = o.CodeName;
        LeadAgency = o.LeadAgency;
        Agencies = [.. o.Agencies];
        TargetFacilities = [.. o.TargetFacilities];
        PlannedStart = o.PlannedStart;
        PlannedEnd = o.PlannedEnd;
        LegalBasis = o.LegalBasis;
        PlannedBy = partner;
        Status = Enum.Parse<OperationStatus>(o.Status, ignoreCase: true);
        LaunchedAt = o.LaunchedAt;
        LaunchDate = o.LaunchDate;
        ConcludedAt = o.ConcludedAt;
        CancelledAt = o.CancelledAt;
        Year = (o.LaunchDate ?? LocalDateOf(o.PlannedStart)).Year;
        // Events received before the receiving agency was recorded were applied only when they listed it.
        TakesPart = e.ReceivingAgency is null || o.Agencies.Contains(e.ReceivingAgency);
        CountedYear = TakesPart && Status is (OperationStatus.Launched or OperationStatus.Concluded) ? o.LaunchDate?.Year : null;
        Seizures = o.Seizures.Select(s => new LinkedSeizure(s.Id, s.Reference, s.Agency, "partner", partner, e.ReceivedAt)).ToList();
        Arrests = o.Arrests.Select(a => new ArrestRecord(a.Count, a.Charges, null, partner, e.ReceivedAt)).ToList();
        Cases = o.Cases.Select(c => new CriminalCase(c.CaseNumber, c.Agency, c.OpenedOn, partner, e.ReceivedAt)).ToList();
    }
}

/// <summary>
/// A partner's joint operation arrived (or a newer version of it), in a stream keyed by the origin's id.
/// <paramref name="ReceivingAgency"/>: this node's agency when it arrived, so the fold can tell whether the version still
/// lists it (null in events stored before it was recorded; those always listed it).
/// </summary>
public sealed record PartnerOperationReceived(
    Guid OperationId, string OriginAgency, long OriginVersion, string PolicyId, SeizureIntel.Contracts.SharedOperation Operation,
    DateTimeOffset ReceivedAt, string? ReceivingAgency = null);
