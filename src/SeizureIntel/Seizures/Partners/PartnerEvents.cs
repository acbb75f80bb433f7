using SeizureIntel.Seizures;
using SeizureIntel.Contracts;

namespace SeizureIntel.Seizures.Partners;

/// <summary>
/// A partner's record arrived (or a newer version of it): the event that brings it into this node's own store, in a
/// stream keyed by the origin's id, so it counts in this node's read models under its origin agency.
/// </summary>
public sealed record PartnerSeizureReceived(
    Guid SeizureId,
    string OriginAgency,
    string OriginReference,
    long OriginVersion,
    string HandlingCode,
    Distribution Distribution,
    string PolicyId,
    SharedSeizure Seizure,
    DateTimeOffset ReceivedAt) : ISeizureEvent;

/// <summary>The partner voided the record or no longer shares it: it leaves this node's totals; its stream stays.</summary>
public sealed record PartnerSeizureWithdrawn(
    Guid SeizureId,
    string OriginAgency,
    long OriginVersion,
    string Reason,
    DateTimeOffset ReceivedAt) : ISeizureEvent;
