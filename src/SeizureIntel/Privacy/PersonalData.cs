using System.Collections;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SeizureIntel.Contracts;
using SeizureIntel.Identity;
using SeizureIntel.Operations;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.Custody;
using SeizureIntel.Seizures.Destruction;
using SeizureIntel.Seizures.History;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Seizures.Recording;
using static SeizureIntel.Identity.Roles;

namespace SeizureIntel.Privacy;

/// <summary>
/// Need-to-know for personal fields (issue 12, point 2), in one place: which roles see who recorded a seizure, custody
/// persons, witnesses, lab analysts, free-text notes and the history's users and reasons, and which fields those are.
/// Applied as one response-shaping step: a modifier of the API's JSON contracts (<see cref="Modifier"/>) that writes
/// <see cref="Masked"/> instead of such a field whenever the request's principal has none of the roles that need it.
/// Every answer that serialises these read models or events — a seizure (live, as-of, by reference), its history, a
/// search, an operation and its timeline — is shaped the same way, and the web pages, which read the API with the
/// user's own token, inherit it. Aggregates (year figures, trends, maps, GeoJSON, the annual report in HTML, CSV and
/// XLSX) carry no personal field at all. Officers see only records of their own facilities in the first place
/// (<see cref="Actor.MayActAt"/>), so "the record's facility" is already decided when a field is written.
/// </summary>
public static class PersonalData
{
    /// <summary>What a masked field shows (lists keep their length, each item masked).</summary>
    public const string Masked = "[masked]";

    /// <summary>Roles that see the persons and free text of seizure records: those who handle the evidence.</summary>
    public static readonly IReadOnlyList<string> SeizureRoles = [Officer, Custodian, Lab, Supervisor];

    /// <summary>Roles that see the persons and notes of joint operations: those who run them.</summary>
    public static readonly IReadOnlyList<string> OperationRoles = [Roles.Operations, Officer, Supervisor];

    /// <summary>Whether a principal sees personal fields in an answer to <paramref name="path"/>.</summary>
    public static bool Sees(ClaimsPrincipal principal, string path)
    {
        var roles = path.StartsWith("/api/operations", StringComparison.OrdinalIgnoreCase) ? OperationRoles : SeizureRoles;
        return roles.Any(r => principal.HasClaim(NodeClaims.Role, r));
    }

    /// <summary>The personal fields: (type, property) → when it is personal (null: always).</summary>
    private static readonly Dictionary<(Type, string), Func<object, bool>?> Fields = new()
    {
        // Read models.
        [(typeof(SeizureView), nameof(SeizureView.RecordedBy))] = null,
        [(typeof(SeizureView), nameof(SeizureView.Notes))] = null,
        [(typeof(SeizureView), nameof(SeizureView.CurrentCustodian))] = null,
        [(typeof(SeizureView), nameof(SeizureView.VoidReason))] = null,
        [(typeof(CustodyStep), nameof(CustodyStep.Custodian))] = null,
        [(typeof(CustodyStep), nameof(CustodyStep.Reason))] = null,
        [(typeof(LabResult), nameof(LabResult.Analyst))] = null,
        [(typeof(HistoryEntry), nameof(HistoryEntry.User))] = null,
        [(typeof(HistoryEntry), nameof(HistoryEntry.Reason))] = null,
        [(typeof(TimelineEntry), nameof(TimelineEntry.User))] = null,
        // Who acted, in every event.
        [(typeof(Actor), nameof(Actor.User))] = null,
        // The events as the history shows them.
        [(typeof(SeizureRecorded), nameof(SeizureRecorded.RecordedBy))] = null,
        [(typeof(SeizureRecorded), nameof(SeizureRecorded.Notes))] = null,
        [(typeof(SeizureCorrected), nameof(SeizureCorrected.Reason))] = null,
        [(typeof(SeizureCorrected), nameof(SeizureCorrected.Notes))] = null,
        [(typeof(FieldChange), nameof(FieldChange.From))] = IsNotesChange,
        [(typeof(FieldChange), nameof(FieldChange.To))] = IsNotesChange,
        [(typeof(SeizureVoided), nameof(SeizureVoided.Reason))] = null,
        [(typeof(SeizureSharingCorrected), nameof(SeizureSharingCorrected.Reason))] = null,
        [(typeof(SeizureMarkedDuplicate), nameof(SeizureMarkedDuplicate.Reason))] = null,
        [(typeof(CustodyTransferred), nameof(CustodyTransferred.From))] = null,
        [(typeof(CustodyTransferred), nameof(CustodyTransferred.To))] = null,
        [(typeof(CustodyTransferred), nameof(CustodyTransferred.Reason))] = null,
        [(typeof(EvidenceDestroyed), nameof(EvidenceDestroyed.Witnesses))] = null,
        [(typeof(LabAnalysisReported), nameof(LabAnalysisReported.Analyst))] = null,
        [(typeof(SharedSeizure), nameof(SharedSeizure.Notes))] = null,
        [(typeof(PartnerSeizureWithdrawn), nameof(PartnerSeizureWithdrawn.Reason))] = null,
        // Joint operations: who linked a seizure, arrest notes (in the view and in the event), free-text reasons.
        [(typeof(OperationSeizureRow), nameof(OperationSeizureRow.LinkedBy))] = null,
        [(typeof(ArrestRecord), nameof(ArrestRecord.Notes))] = null,
        [(typeof(OperationView), nameof(OperationView.CancellationReason))] = null,
        [(typeof(ArrestsRecorded), nameof(ArrestsRecorded.Notes))] = null,
        [(typeof(SeizureUnlinked), nameof(SeizureUnlinked.Reason))] = null,
        [(typeof(AgencyJoined), nameof(AgencyJoined.Reason))] = null,
        [(typeof(AgencyLeft), nameof(AgencyLeft.Reason))] = null,
        [(typeof(JointOperationCancelled), nameof(JointOperationCancelled.Reason))] = null,
    };

    private static bool IsNotesChange(object change) => change is FieldChange { Field: "notes" };

    /// <summary>Whether a property of a type is one of the personal fields (for tests and docs).</summary>
    public static bool IsPersonal(Type type, string property) => Fields.ContainsKey((type, property));

    private static readonly HttpContextAccessor Http = new();

    /// <summary>Whether the answer being written now is to a principal who may not see personal fields.</summary>
    private static bool MaskingNow()
    {
        var context = Http.HttpContext;
        if (context is null || !context.Request.Path.StartsWithSegments("/api")) return false;
        return !Sees(context.User, context.Request.Path.Value ?? "");
    }

    /// <summary>The JSON contract modifier that masks the personal fields of <see cref="Fields"/> in API answers.</summary>
    public static void Modifier(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is not System.Reflection.MemberInfo member) continue;
            if (!Fields.TryGetValue((info.Type, member.Name), out var when)) continue;
            var get = property.Get;
            if (get is null) continue;
            property.Get = owner =>
            {
                var value = get(owner);
                return value is not null && MaskingNow() && (when is null || when(owner)) ? Mask(value) : value;
            };
        }
    }

    private static object? Mask(object value) => value switch
    {
        string => Masked,
        IEnumerable<string> items => items.Select(_ => Masked).ToList(),
        IEnumerable items => items.Cast<object?>().Select(_ => Masked).ToList(),
        _ => null,
    };

    /// <summary>Adds the masking step to the API's JSON options (not to messages between nodes, which carry no persons).</summary>
    public static void Apply(JsonSerializerOptions options) =>
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(Modifier);
}
