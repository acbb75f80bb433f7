using SeizureIntel.Operations;

namespace SeizureIntel.Linking;

/// <summary>
/// A seizure recorded with detection "joint-operation" names its operation (operationId) and joins it in the same
/// transaction: SeizureLinked is appended to the operation's stream with the seizure's first event. The operation's
/// stream row is locked while it is checked (<see cref="OperationLinks.AdmitAsync"/>), so a conclusion or cancellation
/// cannot slip in between the check and the link (it waits, then finds the operation changed: 412), while simultaneous
/// recordings into one operation queue briefly instead of failing each other.
/// </summary>
public static class RecordingInOperation
{
    /// <summary>
    /// Why the operation does not take a seizure of <paramref name="agency"/> as it is recorded or corrected into it (null: it
    /// does): it must be in this store, planned here (a partner's operation is read-only where it is received), launched and
    /// not closed, with the agency among its participants.
    /// </summary>
    public static string? RefusalFor(Guid id, JointOperation? operation, string agency) => operation switch
    {
        null => $"no joint operation {id} is in this store",
        { Received: true } => $"{operation.CodeName} is {operation.OriginAgency}'s operation, received over sharing; only {operation.OriginAgency} can link seizures to it",
        { Status: OperationStatus.Planned } => $"{operation.CodeName} is planned but not launched; seizures join it from its launch",
        { ClosedBecause: { } closed } => $"{operation.CodeName} {closed}; it takes no more seizures",
        _ when !operation.Agencies.Contains(agency) =>
            $"{agency} does not take part in {operation.CodeName} (participants: {string.Join(", ", operation.Agencies)})",
        _ => null,
    };
}
