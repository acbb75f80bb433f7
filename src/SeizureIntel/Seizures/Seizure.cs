using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Custody;
using SeizureIntel.Seizures.Destruction;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Contracts;
using SeizureIntel.Seizures.Partners;

namespace SeizureIntel.Seizures;

/// <summary>Every event of a seizure's stream. Facts in the past tense; never edited, never deleted.</summary>
public interface ISeizureEvent
{
    Guid SeizureId { get; }
}

public sealed record CustodyStep(string Custodian, DateTimeOffset Since, string? SealNumber, string? Reason);
public sealed record LabSubmission(string Lab, string LabCaseNumber, DateTimeOffset SubmittedAt);
public sealed record LabResult(string Lab, string LabCaseNumber, string ConfirmedSubstance, decimal NetWeightGrams,
    decimal? PurityPercent, IReadOnlyList<LabTechnique> Techniques, string Analyst, DateOnly ReportDate);

/// <summary>
/// The state of one seizure, folded from its own event stream (one stream per seizure). Marten keeps it as an
/// inline snapshot, so it is both the write model handlers decide on and the document GET /api/seizures/{id} reads.
/// </summary>
public sealed class Seizure : ISeizureFields, IChangeable, Identity.IFacilityScoped
{
    public static VersionedResource Resource => VersionedResource.Seizure;

    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Agency { get; set; } = "";
    public string Reference { get; set; } = "";
    /// <summary>The facility, or null for a seizure with only its own location (road checkpoint, raid, perimeter drop).</summary>
    public string? FacilityId { get; set; }
    public SeizureLocation? Location { get; set; }

    /// <summary>Its own point's oblast, else its facility's stated oblast; null when unknown.</summary>
    public string? Oblast { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateOnly LocalDate { get; set; }
    public string TimeZone { get; set; } = "";
    public string Substance { get; set; } = "";
    public Quantity Quantity { get; set; } = new(0, "g");
    public string Detection { get; set; } = "";
    public string? Notes { get; set; }
    public Circumstances Circumstances { get; set; } = Circumstances.None;
    public string RecordedBy { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public bool Demo { get; set; }

    /// <summary>Europol-style handling code (H0–H3) the record is shared under.</summary>
    public string HandlingCode { get; set; } = HandlingCodes.Default;
    public Distribution Distribution { get; set; } = Distribution.Everyone;

    /// <summary>A partner's record, received over sharing: its agency is the origin, and only newer versions apply.</summary>
    public bool Received { get; set; }
    public long OriginVersion { get; set; }
    public string? PolicyId { get; set; }
    public SharedRecordRef? DuplicateOfRecord { get; set; }

    public bool Voided { get; set; }
    public string? VoidReason { get; set; }
    public Guid? DuplicateOf { get; set; }
    public int Corrections { get; set; }

    public List<CustodyStep> Custody { get; set; } = [];
    public List<LabSubmission> LabSubmissions { get; set; } = [];
    public List<LabResult> LabResults { get; set; } = [];
    public bool Destroyed { get; set; }

    public string? CurrentCustodian => Custody.LastOrDefault()?.Custodian;

    /// <summary>The latest lab report decides substance and weight in every total.</summary>
    public LabResult? LatestLabResult => LabResults.LastOrDefault();

    /// <summary>Counted in totals: neither voided nor the duplicate of another seizure.</summary>
    public bool Counted => SeizureStatus.Of(Voided, DuplicateOf) == SeizureStatus.Counted;

    public string Status => SeizureStatus.Of(Voided, DuplicateOf);

    /// <summary>A partner's record is changed only at its origin; here it is a copy.</summary>
    public ProblemDetails? RefuseAsCopy() => Received
        ? Problems.Refused("seizure", $"is {Agency}'s record, received over sharing; only {Agency} can change it", "Not this node's record")
        : null;

    /// <summary>The common refusal: a voided seizure takes no further change.</summary>
    public Decision? RefuseIfVoided(string title) => Voided
        ? Decision.Refuse(Problems.Refused("seizure", $"was voided ({VoidReason}); its stream stays for the record but takes no change", title))
        : null;

    string ISeizureFields.FieldSubstance { get => Substance; set => Substance = value; }

    public static Seizure Create(SeizureRecorded e)
    {
        var seizure = new Seizure
        {
            Id = e.SeizureId,
            Reference = e.Reference,
            TimeZone = e.TimeZone,
            Notes = e.Notes,
            RecordedBy = e.RecordedBy,
            RecordedAt = e.RecordedAt,
            HandlingCode = e.HandlingCode ?? HandlingCodes.Default,
            Distribution = e.Distribution ?? Distribution.Everyone,
            // The seizing officer holds the evidence until the first hand-over.
            Custody = [new CustodyStep(e.RecordedBy, e.OccurredAt, null, "seized")],
        };
        seizure.Fold(e);
        return seizure;
    }

    public void Apply(SeizureCorrected e)
    {
        this.Fold(e);
        TimeZone = e.TimeZone ?? TimeZone;
        if (e.Notes is not null) Notes = e.Notes.Length == 0 ? null : e.Notes;
        Corrections++;
    }

    public void Apply(SeizureVoided e)
    {
        Voided = true;
        VoidReason = e.Reason;
    }

    public void Apply(SeizureMarkedDuplicate e) => DuplicateOf = e.DuplicateOf;

    public void Apply(SeizureSharingCorrected e)
    {
        HandlingCode = e.HandlingCode;
        Distribution = e.Distribution;
    }

    /// <summary>Another seizure was marked as this one's duplicate: nothing changes here but the version (the lock).</summary>
    public void Apply(SeizureNamedOriginal e) { }

    public void Apply(CustodyTransferred e) => Custody.Add(new CustodyStep(e.To, e.HandedOverAt, e.SealNumber, e.Reason));

    public void Apply(EvidenceSubmittedToLab e)
    {
        LabSubmissions.Add(new LabSubmission(e.Lab, e.LabCaseNumber, e.SubmittedAt));
        Custody.Add(new CustodyStep(e.Lab, e.SubmittedAt, null, $"submitted to the lab, case {e.LabCaseNumber}"));
    }

    public void Apply(LabAnalysisReported e) => LabResults.Add(new LabResult(e.Lab, e.LabCaseNumber, e.ConfirmedSubstance,
        e.NetWeightGrams, e.PurityPercent, e.Techniques, e.Analyst, e.ReportDate));

    public void Apply(EvidenceDestroyed e) => Destroyed = true;

    public static Seizure Create(PartnerSeizureReceived e)
    {
        var seizure = new Seizure { Id = e.SeizureId };
        seizure.Apply(e);
        return seizure;
    }

    /// <summary>A partner's record replaces what this node knew of it: the snapshot is the whole state at its origin.</summary>
    public void Apply(PartnerSeizureReceived e)
    {
        this.Fold(e);
        var s = e.Seizure;
        Reference = e.OriginReference;
        Received = true;
        OriginVersion = e.OriginVersion;
        PolicyId = e.PolicyId;
        HandlingCode = e.HandlingCode;
        Distribution = e.Distribution;
        TimeZone = s.TimeZone;
        Notes = s.Notes;
        RecordedBy = $"partner:{e.OriginAgency}";
        RecordedAt = e.ReceivedAt;
        LabResults = s.Lab is { } lab
            ? [new LabResult(lab.Lab, "", lab.ConfirmedSubstance, lab.NetWeightGrams, lab.PurityPercent, [], "", lab.ReportDate)]
            : [];
        DuplicateOfRecord = s.DuplicateOf;
    }

    public void Apply(PartnerSeizureWithdrawn e)
    {
        OriginVersion = e.OriginVersion;
        Voided = true;
        VoidReason = $"withdrawn by {e.OriginAgency}: {e.Reason}";
    }
}
