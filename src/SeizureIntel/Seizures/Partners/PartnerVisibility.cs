using SeizureIntel.Contracts;
using SeizureIntel.Identity;

namespace SeizureIntel.Seizures.Partners;

/// <summary>
/// How far a partner's record is visible on the node that received it (issue 12, point 2), in one place. A received record
/// is seen only as far as its origin's handling code and distribution allow:
/// <list type="bullet">
/// <item>its distribution must name this node's agency (all partners, or named partners including it); a record whose
/// distribution does not — it should never have been sent, or the origin narrowed it — is answered 404 to everyone;</item>
/// <item>under <c>H3</c> ("other restrictions", the origin's conditions apply) only the supervisor, who answers for
/// those conditions, and the analyst (who sees no person in it) read it; everyone else gets 404, as if it did not exist.</item>
/// </list>
/// Its persons never arrive at all (see Sharing), and it still counts in this node's figures, which name no record.
/// </summary>
public static class PartnerVisibility
{
    public const string Restricted = "H3";

    /// <summary>Roles that read a partner's H3 record.</summary>
    public static readonly IReadOnlyList<string> RestrictedReaders = [Roles.Supervisor, Roles.Analyst];

    public static bool SeesRestricted(Actor actor) => RestrictedReaders.Any(actor.Has);

    /// <summary>Whether <paramref name="actor"/> on this node may see <paramref name="seizure"/> (own records: always, as far as this rule goes).</summary>
    public static bool Allows(Seizure seizure, Actor actor)
    {
        if (!seizure.Received) return true;
        if (!seizure.Distribution.Allows(actor.Agency)) return false;
        return seizure.HandlingCode != Restricted || SeesRestricted(actor);
    }
}
