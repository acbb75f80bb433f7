using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures.Partners;
using SeizureIntel.Facilities;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;
using Wolverine.Http;

namespace SeizureIntel.Seizures.Finding;

/// <summary>One line of a seizure search: enough to recognise it and open it.</summary>
public sealed record SeizureListItem(
    Guid Id, string Reference, string Agency, string? FacilityId, string? Oblast, DateTimeOffset OccurredAt, DateOnly LocalDate,
    string Substance, Quantity Quantity, string Detection, string Status, long Version);

public sealed record SeizureList(int Count, bool More, IReadOnlyList<SeizureListItem> Seizures);

/// <summary>Finding seizures the way people know them: by their reference, or by year, facility, substance and agency.</summary>
public static class FindSeizuresEndpoint
{
    public const int MaxLimit = 500;

    /// <summary>
    /// The seizure with that reference (e.g. SSEP-2026-000001; any case), as GET /api/seizures/{id} shows it, with its
    /// version as ETag. A partner's record is found by its origin reference.
    /// </summary>
    [WolverineGet("/api/seizures/by-reference/{reference}", OperationId = "getSeizureByReference")]
    public static async Task<IResult> ByReference(string reference, IQuerySession session, QuantityConverter converter,
        HttpContext context, Actor by, CancellationToken token)
    {
        var wanted = reference.Trim().ToUpperInvariant();
        var seizure = await session.Query<Seizure>().FirstOrDefaultAsync(s => s.Reference == wanted, token);
        if (seizure is null || !by.MayActAt(seizure.FacilityId) || !PartnerVisibility.Allows(seizure, by))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown reference",
                detail: $"No seizure has the reference '{reference.Trim()}'.");
        context.Response.Headers.ETag = Versions.ETag(seizure.Version);
        return Results.Ok(SeizureView.Of(seizure, converter));
    }

    /// <summary>
    /// Seizures, newest first (by when they happened), filtered by year (of the local date), facility (code or alias),
    /// substance (code or name), agency, and a reference prefix (<c>q</c>); <c>limit</c> 1–500, default 50. Voided and
    /// duplicate seizures are listed too, with their status. An officer finds only the assigned facilities' seizures.
    /// </summary>
    [WolverineGet("/api/seizures", OperationId = "findSeizures")]
    public static async Task<IResult> Find(string? q, int? year, string? facility, string? substance, string? agency, int? limit,
        IQuerySession session, FacilityCatalog facilities, ReferenceData reference, Actor by, CancellationToken token)
    {
        var problems = new Problems();
        var take = limit ?? 50;
        if (take is < 1 or > MaxLimit) problems.Fail("limit", $"must be between 1 and {MaxLimit}");
        if (year is < 1900 or > 9999) problems.Fail("year", "must be a four-digit year");
        var facilityCode = string.IsNullOrWhiteSpace(facility) ? null : facilities.Resolve(facility)?.Code;
        if (!string.IsNullOrWhiteSpace(facility) && facilityCode is null) problems.Fail("facility", $"'{facility}' is not a known facility code or alias");
        var substanceCode = string.IsNullOrWhiteSpace(substance) ? null : reference.Find(ReferenceData.Substances, substance)?.Code;
        if (!string.IsNullOrWhiteSpace(substance) && substanceCode is null) problems.Fail("substance", $"'{substance}' is not a known substance");
        var agencyCode = string.IsNullOrWhiteSpace(agency) ? null : reference.Find(ReferenceData.Agencies, agency)?.Code;
        if (!string.IsNullOrWhiteSpace(agency) && agencyCode is null) problems.Fail("agency", $"'{agency}' is not a known agency");
        if (problems.Any) return Results.Problem(problems.Invalid("Bad seizure search"));

        var query = session.Query<Seizure>().AsQueryable();
        // An officer lists only the facilities assigned to them (Actor.MayActAt), as if the others' records did not exist.
        if (by.VisibleFacilities is { } mine) query = query.Where(s => s.FacilityId != null && mine.Contains(s.FacilityId));
        // A partner's record only as far as its handling code and distribution allow (Partners/PartnerVisibility.cs).
        if (!PartnerVisibility.SeesRestricted(by)) query = query.Where(s => !s.Received || s.HandlingCode != PartnerVisibility.Restricted);
        if (!string.IsNullOrWhiteSpace(q))
        {
            var prefix = q.Trim().ToUpperInvariant();
            query = query.Where(s => s.Reference.StartsWith(prefix));
        }
        if (year is { } y)
        {
            var first = new DateOnly(y, 1, 1);
            var next = first.AddYears(1);
            query = query.Where(s => s.LocalDate >= first && s.LocalDate < next);
        }
        if (facilityCode is not null) query = query.Where(s => s.FacilityId == facilityCode);
        if (substanceCode is not null) query = query.Where(s => s.Substance == substanceCode);
        if (agencyCode is not null) query = query.Where(s => s.Agency == agencyCode);

        var found = (await query.OrderByDescending(s => s.OccurredAt).Take(take + 1).ToListAsync(token))
            .Where(s => by.MayActAt(s.FacilityId) && PartnerVisibility.Allows(s, by)).ToList();
        var items = found.Take(take).Select(s => new SeizureListItem(s.Id, s.Reference, s.Agency, s.FacilityId, s.Oblast, s.OccurredAt,
            s.LocalDate, s.Substance, s.Quantity, s.Detection, s.Voided ? "voided" : s.DuplicateOf is not null ? "duplicate" : "counted",
            s.Version)).ToList();
        return Results.Ok(new SeizureList(items.Count, found.Count > take, items));
    }
}
