using System.Net;
using System.Text.Json;
using Alba;
using SeizureIntel.Contracts;
using SeizureIntel.Operations;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Operations;

/// <summary>Helpers of the joint operation tests, on the collection's SSEP node (see <see cref="NodeTest"/>).</summary>
public abstract class OperationTest(NodeFixture fixture) : NodeTest(fixture)
{
    /// <summary>A small square around central Bishkek, as GeoJSON: [longitude, latitude], closed.</summary>
    protected static readonly object Bishkek = new
    {
        type = "Polygon",
        coordinates = new[] { new[] { new[] { 74.55, 42.84 }, new[] { 74.65, 42.84 }, new[] { 74.65, 42.90 }, new[] { 74.55, 42.90 }, new[] { 74.55, 42.84 } } },
    };

    protected static object Plan(string codeName = "Barrier-21", string leadAgency = "SSEP", string[]? agencies = null,
        string[]? targetFacilities = null, object? area = null, string plannedStart = "2015-03-01T08:00:00+06:00",
        string plannedEnd = "2015-04-30T20:00:00+06:00", string legalBasis = "MOU SSEP–SSDC") => new
    {
        codeName, leadAgency, agencies = agencies ?? ["SSEP", "SSDC"], targetFacilities = targetFacilities ?? ["SIZO-1"], area,
        plannedStart, plannedEnd, legalBasis,
    };

    protected async Task<OperationCreatedBody> PlanAsync(object? body = null, string user = "planner-1")
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body ?? Plan()).ToUrl("/api/operations");
            s.WithRequestHeader("X-User", user);
            s.StatusCodeShouldBe(HttpStatusCode.Created);
        });
        return result.ReadAsJson<OperationCreatedBody>()!;
    }

    /// <summary>POSTs to /api/operations/{id}/{action} with If-Match "version" (none when null); returns the answer as JSON.</summary>
    protected async Task<JsonElement> ActAsync(Guid id, string action, object body, long? version, int status = 200, string user = "officer-1")
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/operations/{id}/{action}");
            s.WithRequestHeader("X-User", user);
            if (version is not null) s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.StatusCodeShouldBe(status);
        });
        var text = await result.ReadAsTextAsync();
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>A change that must succeed; returns the operation's new version.</summary>
    protected async Task<long> DoAsync(Guid id, string action, object body, long version, string user = "officer-1") =>
        (await ActAsync(id, action, body, version, 200, user)).GetProperty("version").GetInt64();

    protected Task<JsonElement> OperationAsync(Guid id) => GetJsonAsync($"/api/operations/{id}");

    protected async Task<long> VersionOfAsync(Guid id) => (await OperationAsync(id)).GetProperty("version").GetInt64();

    /// <summary>Plans (default body) and launches an operation; returns its id and version after the launch.</summary>
    protected async Task<(Guid Id, long Version)> LaunchedAsync(object? plan = null, string launchedAt = "2015-03-02T09:00:00+06:00")
    {
        var created = await PlanAsync(plan);
        return (created.Id, await DoAsync(created.Id, "launch", new { launchedAt }, created.Version));
    }

    /// <summary>
    /// A seizure of another agency, as sharing will bring it (until then written straight into this store): its
    /// SeizureRecorded with the local date the test computes itself (UTC+6).
    /// </summary>
    protected async Task<Guid> AppendSeizureOfAsync(string agency, string reference, RawSeizure raw, string user = "partner-officer")
    {
        var id = Guid.CreateVersion7();
        await using var session = Store.LightweightSession();
        session.Events.StartStream<Seizure>(id, new SeizureRecorded(id, agency, reference, raw.Facility, raw.OccurredAt.ToUniversalTime(),
            DateOnly.FromDateTime(raw.LocalDateTime), "Asia/Bishkek", raw.Substance, new Quantity(raw.Value, raw.Unit), raw.Detection, null,
            user, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>
    /// One operation of every kind that takes no seizure of this node's (SSEP's), each with why, plus an unknown id:
    /// planned only, concluded, cancelled, planned here under SSDC's lead and left by SSEP, and SSDC's own as sharing brings it.
    /// </summary>
    protected async Task<List<(Guid Id, string Why)>> RefusingOperationsAsync()
    {
        var planned = await PlanAsync(Plan(codeName: "Planned"));
        var (concluded, vc) = await LaunchedAsync(Plan(codeName: "Concluded"));
        await DoAsync(concluded, "conclude", new { summary = "done" }, vc);
        var (cancelled, vx) = await LaunchedAsync(Plan(codeName: "Cancelled"));
        await DoAsync(cancelled, "cancel", new { reason = "compromised" }, vx);
        var (without, vw) = await LaunchedAsync(Plan(codeName: "Without SSEP", leadAgency: "SSDC"));
        await DoAsync(without, "agencies/SSEP/leave", new { reason = "handed over to SSDC" }, vw);
        var partners = await AppendPartnerOperationAsync("SSDC", "Their-Raid");
        return
        [
            (Guid.CreateVersion7(), "unknown"), (planned.Id, "planned"), (concluded, "concluded"), (cancelled, "cancelled"),
            (without, "SSEP does not take part"), (partners, "a partner's operation, read-only here"),
        ];
    }

    /// <summary>
    /// A partner's joint operation as sharing brings it (written straight into this store, as <see cref="AppendSeizureOfAsync"/>
    /// does for seizures): read-only here, planned at <paramref name="origin"/>'s node, with its linked seizures (ids of
    /// seizures in this store), arrests and criminal cases as the partner shares them.
    /// </summary>
    protected async Task<Guid> AppendPartnerOperationAsync(string origin, string codeName, string status = "launched",
        string launchedAt = "2015-03-02T09:00:00+06:00", IReadOnlyList<(Guid Id, string Agency, string Reference)>? seizures = null,
        IReadOnlyList<int>? arrests = null, IReadOnlyList<(string Number, string Agency)>? cases = null)
    {
        var id = Guid.CreateVersion7();
        var launched = DateTimeOffset.Parse(launchedAt);
        var operation = new SharedOperation(codeName, origin, [origin, "SSEP"], ["SIZO-1"], status, launched.AddDays(-1), launched.AddDays(30),
            "MOU SSEP–SSDC", launched, DateOnly.FromDateTime(launched.UtcDateTime.AddHours(6)), null, null,
            (seizures ?? []).Select(s => new SharedOperationSeizure(s.Agency, s.Id, s.Reference)).ToList(),
            (arrests ?? []).Select(n => new SharedArrests(n, ["Art. 283 CC KR"])).ToList(),
            (cases ?? []).Select(c => new SharedCase(c.Number, c.Agency, null)).ToList());
        await using var session = Store.LightweightSession();
        session.Events.StartStream<JointOperation>(id, new PartnerOperationReceived(id, origin, 2, "MOU-SSEP-SSDC", operation, DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
        return id;
    }

    protected static List<string> Codes(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}

public sealed record OperationCreatedBody(Guid Id, long Version);
