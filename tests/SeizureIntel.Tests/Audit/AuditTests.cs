using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using SeizureIntel.Audit;
using SeizureIntel.Identity;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Audit;

/// <summary>
/// The audit of reads and refusals, against the real node with real tokens: each read of a seizure, its history or a
/// report and each refused attempt is in the log with who, when (Bishkek and UTC), what, from where and the outcome;
/// only the auditor reads it (JSON and CSV); nothing changes it, neither the API nor the node's own database login.
/// </summary>
public sealed class AuditTests(NodeFixture fixture) : NodeTest(fixture)
{
    private async Task<JsonElement> AuditAsync(string query)
    {
        var (status, body) = await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?" + query);
        status.ShouldBe(200, body);
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    private static List<JsonElement> Entries(JsonElement page) => page.GetProperty("entries").EnumerateArray().ToList();

    [Fact]
    public async Task reads_of_seizures_histories_and_reports_are_recorded_with_who_when_what_and_outcome()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await RecordAsync(Body());
        (await Host.GetAsRoleAsync(Roles.Analyst, $"/api/seizures/{created.Id}")).Status.ShouldBe(200);
        (await Host.GetAsRoleAsync(Roles.Analyst, $"/api/seizures/{created.Id}/history")).Status.ShouldBe(200);
        (await Host.GetAsRoleAsync(Roles.WorkingGroup, "/api/reports/annual/2015?format=csv")).Status.ShouldBe(200);

        var analyst = Entries(await AuditAsync($"user={RoleTokens.ClientOf(Roles.Analyst)}&from={Uri.EscapeDataString(before.ToString("O"))}"));
        var paths = analyst.Select(e => e.GetProperty("path").GetString()).ToList();
        paths.ShouldContain($"/api/seizures/{created.Id}");
        paths.ShouldContain($"/api/seizures/{created.Id}/history");
        var read = analyst.First(e => e.GetProperty("path").GetString() == $"/api/seizures/{created.Id}");
        read.GetProperty("outcome").GetString().ShouldBe(AuditOutcomes.Allowed);
        read.GetProperty("status").GetInt32().ShouldBe(200);
        read.GetProperty("method").GetString().ShouldBe("GET");
        read.GetProperty("roles").GetString().ShouldBe(Roles.Analyst);
        // When: stored in UTC, shown in Bishkek (+06:00), the same instant.
        var at = read.GetProperty("at").GetDateTimeOffset();
        at.Offset.ShouldBe(TimeSpan.FromHours(6));
        read.GetProperty("atUtc").GetDateTimeOffset().ShouldBe(at);
        at.ShouldBeGreaterThan(before);
        at.ShouldBeLessThan(DateTimeOffset.UtcNow.AddSeconds(1));

        var report = Entries(await AuditAsync($"user={RoleTokens.ClientOf(Roles.WorkingGroup)}&from={Uri.EscapeDataString(before.ToString("O"))}"));
        report.ShouldContain(e => e.GetProperty("path").GetString() == "/api/reports/annual/2015" &&
                                  e.GetProperty("query").GetString() == "?format=csv" && e.GetProperty("outcome").GetString() == "allowed");
    }

    [Fact]
    public async Task refused_attempts_are_recorded_as_refused()
    {
        var created = await RecordAsync(Body());
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        // 403: the working group reads no seizure; 401: no token at all; 404: no such seizure.
        (await Host.GetAsRoleAsync(Roles.WorkingGroup, $"/api/seizures/{created.Id}/history")).Status.ShouldBe(403);
        await Host.Scenario(s => { s.Get.Url($"/api/seizures/{created.Id}"); s.WithRequestHeader(TestTokens.AnonymousHeader, "1"); s.StatusCodeShouldBe(401); });
        var missing = Guid.NewGuid();
        (await Host.GetAsRoleAsync(Roles.Analyst, $"/api/seizures/{missing}")).Status.ShouldBe(404);

        var refused = Entries(await AuditAsync($"outcome=refused&from={Uri.EscapeDataString(before.ToString("O"))}"));
        refused.ShouldContain(e => e.GetProperty("user").GetString() == RoleTokens.ClientOf(Roles.WorkingGroup) &&
                                   e.GetProperty("status").GetInt32() == 403 && e.GetProperty("path").GetString() == $"/api/seizures/{created.Id}/history");
        refused.ShouldContain(e => e.GetProperty("user").GetString() == Actor.Anonymous &&
                                   e.GetProperty("status").GetInt32() == 401 && e.GetProperty("path").GetString() == $"/api/seizures/{created.Id}");
        refused.ShouldContain(e => e.GetProperty("status").GetInt32() == 404 && e.GetProperty("path").GetString() == $"/api/seizures/{missing}");
        refused.ShouldAllBe(e => e.GetProperty("outcome").GetString() == "refused");
    }

    [Fact]
    public async Task only_the_auditor_reads_the_log_and_exports_it_as_csv()
    {
        foreach (var role in Roles.All.Where(r => r != Roles.Auditor))
            (await Host.GetAsRoleAsync(role, "/api/audit")).Status.ShouldBe(403, role);
        await Host.Scenario(s => { s.Get.Url("/api/audit"); s.WithRequestHeader(TestTokens.AnonymousHeader, "1"); s.StatusCodeShouldBe(401); });

        var (status, csv) = await Host.GetAsRoleAsync(Roles.Auditor, $"/api/audit?format=csv&user={RoleTokens.ClientOf(Roles.Admin)}");
        status.ShouldBe(200);
        var lines = csv.TrimEnd('\n').Split('\n');
        lines[0].ShouldBe(GetAuditEndpoint.CsvHeader);
        lines.Skip(1).ShouldContain(l => l.Contains(",/api/audit,") && l.Contains(",403,refused,"));
        // A refused read of the audit is itself in the audit, and bad filters are named.
        (await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?outcome=maybe")).Status.ShouldBe(400);
        var bad = JsonSerializer.Deserialize<JsonElement>((await Host.GetAsRoleAsync(Roles.Auditor, "/api/audit?from=yesterday&to=2026-13-01")).Body);
        ErrorFields(bad).ShouldBe(["from", "to"]);
    }

    [Fact]
    public async Task nobody_can_change_the_log_through_the_api_or_the_nodes_own_login()
    {
        (await Host.GetAsRoleAsync(Roles.Analyst, "/api/facilities")).Status.ShouldBe(200);
        var count = Entries(await AuditAsync("limit=10000")).Count;
        count.ShouldBeGreaterThan(0);
        var token = await Host.ForRoleAsync(Roles.Auditor);
        foreach (var method in new[] { "DELETE", "PUT", "PATCH", "POST" })
        {
            var result = await Host.Scenario(s =>
            {
                s.ConfigureHttpContext(c => { c.Request.Method = method; c.Request.Path = "/api/audit"; });
                s.As(token);
                s.IgnoreStatusCode();
            });
            result.Context.Response.StatusCode.ShouldBeOneOf([404, 405], method);
        }

        // The node's runtime login itself cannot update, delete or truncate it.
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[] { "update {0}.audit_log set user_name = 'x'", "delete from {0}.audit_log", "truncate {0}.audit_log" })
        {
            await using var command = new NpgsqlCommand(string.Format(sql, Fixture.Schema), connection);
            await Should.ThrowAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        }
        Entries(await AuditAsync("limit=10000")).Count.ShouldBeGreaterThanOrEqualTo(count);
    }

    [Fact]
    public async Task recording_does_not_slow_reads_noticeably()
    {
        var created = await RecordAsync(Body());
        var log = Host.Services.GetService(typeof(AuditLog)).ShouldBeOfType<AuditLog>();
        var token = await Host.ForRoleAsync(Roles.Analyst);
        async Task<double> TimeReadsAsync(int n)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < n; i++)
                await Host.Scenario(s => { s.Get.Url($"/api/seizures/{created.Id}"); s.As(token); });
            return watch.Elapsed.TotalMilliseconds / n;
        }
        await TimeReadsAsync(20);
        var perRead = await TimeReadsAsync(100);
        // Every one of them is recorded, by the batched writer, not in the request.
        var entries = Entries(await AuditAsync($"user={RoleTokens.ClientOf(Roles.Analyst)}&limit=10000"))
            .Count(e => e.GetProperty("path").GetString() == $"/api/seizures/{created.Id}");
        entries.ShouldBeGreaterThanOrEqualTo(120);
        log.ShouldNotBeNull();
        Console.WriteLine($"audited read of a seizure: {perRead:F2} ms per request (in-process, 100 reads)");
    }
}
