using Marten;
using Microsoft.AspNetCore.Mvc;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;
using SeizureIntel.Agencies;
using SeizureIntel.Facilities;
using SeizureIntel.Identity;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;
using Wolverine.Http;
using Wolverine.Marten;
using Wolverine;

namespace SeizureIntel.Operations.Planning;

/// <summary>
/// Plan a joint operation. Every field is optional in the type so that each missing one is named in one answer.
/// </summary>
/// <param name="CodeName">The operation's code name, e.g. "Checkpoint-21".</param>
/// <param name="LeadAgency">The agency leading it (SSEP, SSDC or MVD); it must be one of <paramref name="Agencies"/>.</param>
/// <param name="Agencies">The participating agencies, this node's agency among them.</param>
/// <param name="TargetFacilities">Facility codes or aliases targeted (e.g. SIZO-1); give these, an area, or both.</param>
/// <param name="Area">A GeoJSON Polygon of [longitude, latitude] rings (WGS 84), closed, outer ring first.</param>
/// <param name="PlannedStart">ISO 8601 instant with offset.</param>
/// <param name="PlannedEnd">ISO 8601 instant with offset, after the start.</param>
/// <param name="LegalBasis">What allows the agencies to act together, e.g. "MOU SSEP–SSDC".</param>
public sealed record PlanJointOperation(
    string? CodeName,
    string? LeadAgency,
    List<string>? Agencies,
    List<string>? TargetFacilities,
    AreaInput? Area,
    string? PlannedStart,
    string? PlannedEnd,
    string? LegalBasis);

/// <summary>A GeoJSON geometry object; only "Polygon" is taken.</summary>
public sealed record AreaInput(string? Type, List<List<double[]>>? Coordinates);

public sealed record ValidPlan(
    string CodeName, string LeadAgency, IReadOnlyList<string> Agencies, IReadOnlyList<string> TargetFacilities, OperationArea? Area,
    DateTimeOffset PlannedStart, DateTimeOffset PlannedEnd, string LegalBasis);

/// <summary>Answer to a planned operation: 201 with a Location header.</summary>
public sealed record OperationCreated(Guid Id, long Version) : CreationResponse($"/api/operations/{Id}");

public static class PlanJointOperationEndpoint
{
    public const string Title = "The joint operation was not planned";
    public const int MaxCodeNameLength = 100;
    public const int MaxLegalBasisLength = 500;

    public static (ValidPlan? Plan, Problems Problems) Check(PlanJointOperation command, FacilityCatalog facilities, NodeIdentity node, DateTimeOffset now)
    {
        var problems = new Problems();
        var codeName = problems.RequireText("codeName", command.CodeName, MaxCodeNameLength);
        var lead = problems.Agency("leadAgency", command.LeadAgency);

        var agencies = new List<string>();
        if (command.Agencies is not { Count: > 0 }) problems.Fail("agencies", "name the participating agencies, the lead among them");
        else if (Bounds.Count(problems, "agencies", command.Agencies))
            for (var i = 0; i < command.Agencies.Count; i++)
                if (problems.Agency($"agencies[{i}]", command.Agencies[i]) is { } code && !agencies.Contains(code))
                    agencies.Add(code);
        if (command.Agencies is { Count: > 0 } && !problems.Errors.Keys.Any(k => k.StartsWith("agencies[", StringComparison.Ordinal)))
        {
            if (lead is not null && !agencies.Contains(lead)) problems.Fail("leadAgency", $"{lead} must be one of the participating agencies");
            if (!agencies.Contains(node.Agency)) problems.Fail("agencies", $"must include this node's agency ({node.Agency}), which plans the operation");
        }

        var targets = new List<string>();
        var targetCount = Bounds.Count(problems, "targetFacilities", command.TargetFacilities) ? command.TargetFacilities?.Count ?? 0 : 0;
        for (var i = 0; i < targetCount; i++)
        {
            var value = command.TargetFacilities![i];
            if (facilities.Resolve(value) is { } facility) { if (!targets.Contains(facility.Code)) targets.Add(facility.Code); }
            else problems.Fail($"targetFacilities[{i}]", $"'{value}' is not a known facility code or alias (see /api/facilities)");
        }
        var area = Area(problems, command.Area);
        if (command.TargetFacilities is not { Count: > 0 } && command.Area is null)
            problems.Fail("targetFacilities", "name at least one target facility, or give an area");

        var start = OperationFields.Instant(problems, "plannedStart", command.PlannedStart, now, required: true, allowFuture: true);
        var end = OperationFields.Instant(problems, "plannedEnd", command.PlannedEnd, now, required: true, allowFuture: true);
        if (start is not null && end is not null && end <= start) problems.Fail("plannedEnd", "must be after plannedStart");
        var legalBasis = problems.RequireText("legalBasis", command.LegalBasis, MaxLegalBasisLength);

        return problems.Any
            ? (null, problems)
            : (new ValidPlan(codeName!, lead!, agencies, targets, area, start!.Value.ToUniversalTime(), end!.Value.ToUniversalTime(), legalBasis!), problems);
    }

    /// <summary>A GeoJSON Polygon: closed rings of at least four [lon, lat] positions within range, forming a valid polygon.</summary>
    public static OperationArea? Area(Problems problems, AreaInput? input)
    {
        if (input is null) return null;
        if (!string.Equals(input.Type, "Polygon", StringComparison.Ordinal))
        {
            // Other geometry types read their coordinates differently: judging them as a polygon's would only mislead.
            problems.Fail("area.type", "must be \"Polygon\" (GeoJSON)");
            return null;
        }
        if (input.Coordinates is not { Count: > 0 })
        {
            problems.Fail("area.coordinates", "give at least one ring of [longitude, latitude] positions");
            return null;
        }

        if (input.Coordinates.Count > Bounds.MaxPolygonRings ||
            input.Coordinates.Sum(ring => (long)(ring?.Count ?? 0)) > Bounds.MaxPolygonPositions)
        {
            problems.Fail("area.coordinates", $"must have at most {Bounds.MaxPolygonRings} rings and {Bounds.MaxPolygonPositions} positions in all");
            return null;
        }
        var failed = problems.Errors.Count;
        var rings = new List<LinearRing>();
        for (var r = 0; r < input.Coordinates.Count; r++)
        {
            var ring = input.Coordinates[r];
            var field = $"area.coordinates[{r}]";
            if (ring is not { Count: >= 4 }) { problems.Fail(field, "a ring needs at least four positions, the last equal to the first"); continue; }
            var positions = new List<Coordinate>();
            for (var p = 0; p < ring.Count; p++)
            {
                var position = ring[p];
                if (position is not { Length: 2 } || position[0] is < -180 or > 180 || position[1] is < -90 or > 90 ||
                    !double.IsFinite(position[0]) || !double.IsFinite(position[1]))
                    problems.Fail($"{field}[{p}]", "must be [longitude, latitude] with longitude in [-180, 180] and latitude in [-90, 90]");
                else positions.Add(new Coordinate(position[0], position[1]));
            }
            if (positions.Count != ring.Count) continue;
            if (!positions[0].Equals2D(positions[^1])) { problems.Fail(field, "is not closed: its last position must equal its first"); continue; }
            rings.Add(new LinearRing(positions.ToArray()));
        }
        if (problems.Errors.Count > failed) return null;

        var polygon = new Polygon(rings[0], rings.Skip(1).ToArray());
        var error = new IsValidOp(polygon).ValidationError;
        if (error is not null)
        {
            problems.Fail("area.coordinates", $"is not a valid polygon: {error.Message} at ({error.Coordinate?.X}, {error.Coordinate?.Y})");
            return null;
        }
        return new OperationArea("Polygon", input.Coordinates.Select(ring => (IReadOnlyList<double[]>)ring.Select(p => p.ToArray()).ToList()).ToList());
    }

    /// <summary>Pure: the event that starts the operation's stream.</summary>
    public static JointOperationPlanned Decide(Guid id, ValidPlan plan, Actor by, DateTimeOffset now) =>
        new(id, plan.CodeName, plan.LeadAgency, plan.Agencies, plan.TargetFacilities, plan.Area, plan.PlannedStart, plan.PlannedEnd,
            plan.LegalBasis, by, now);

    public static ProblemDetails Validate(PlanJointOperation command, FacilityCatalog facilities, NodeIdentity node, TimeProvider time)
    {
        if (command is null) return OperationFields.NoBody(Title);
        var (_, problems) = Check(command, facilities, node, time.GetUtcNow());
        return problems.Verdict(Title);
    }

    /// <summary>Plan a joint operation: starts its event stream and answers 201 with its id and version (also the ETag).</summary>
    [WolverinePost("/api/operations", OperationId = "planJointOperation")]
    public static (OperationCreated, IStartStream) Post(PlanJointOperation command, FacilityCatalog facilities, NodeIdentity node, Actor by,
        HttpContext context, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (plan, _) = Check(command, facilities, node, now);
        var id = Guid.CreateVersion7(now);
        context.Response.Headers.ETag = Versions.ETag(1);
        return (new OperationCreated(id, 1), MartenOps.StartStream<JointOperation>(id, Decide(id, plan!, by, now)));
    }
}
