using Marten;
using Microsoft.AspNetCore.Mvc;
using SeizureIntel.Identity;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Seizures;

/// <summary>
/// What recording and correcting a seizure need from joint operations: a seizure made in an operation joins it in the
/// same transaction, and a correction of its detection moves or takes it out. Implemented by the Linking module
/// (src/SeizureIntel/Linking), so that seizures know no operation types and the two features do not depend on each other.
/// </summary>
public interface IOperationLinks
{
    /// <summary>
    /// Before a seizure of <paramref name="agency"/> is recorded into operation <paramref name="operationId"/>: locks the
    /// operation and checks that it takes the seizure. The admission to pass to <see cref="Join"/>, or why not (409).
    /// </summary>
    Task<(OperationAdmission? Admission, ProblemDetails? Refusal)> AdmitAsync(Guid operationId, string agency, string title,
        IDocumentSession session, CancellationToken token);

    /// <summary>Queues the recorded seizure's link to the admitted operation in the session that starts its stream.</summary>
    void Join(OperationAdmission admission, SeizureRecorded recorded, IDocumentSession session);

    /// <summary>
    /// Before a correction of <paramref name="seizure"/>'s detection (to or from joint-operation) is decided: locks and reads
    /// the operations it touches and decides what happens to the seizure's link (pure, in the Linking module).
    /// </summary>
    Task<ILinkPlan> PlanCorrectionAsync(Seizure seizure, string? detection, Guid? operationId, string reason, Actor by, DateTimeOffset now,
        IDocumentSession session, CancellationToken token);
}

/// <summary>An operation that admitted a seizure being recorded, read under its lock at this version.</summary>
public sealed record OperationAdmission(Guid OperationId, long Version);

/// <summary>What a correction does to the seizure's operation link: the change its history shows, a refusal, and the writes.</summary>
public interface ILinkPlan
{
    /// <summary>The history's row for the link ("operationId" from → to); null when the link does not change.</summary>
    FieldChange? Change { get; }

    /// <summary>409 when an operation refuses the move; nothing is written then.</summary>
    ProblemDetails? Problem { get; }

    /// <summary>Queues the link events and rows in the session that appends the correction.</summary>
    void Apply(IDocumentSession session);
}
