using Alba;
using Npgsql;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Support.NodeApi;
using static SeizureIntel.Tests.Support.DatabaseLogins;

namespace SeizureIntel.Tests.Node;

/// <summary>
/// Least privilege in the database (issue 12, point 6): the owner login applies the schema and grants the runtime login
/// data access only (Node/RuntimeGrants.cs); a node on the runtime login, schema checks off, serves requests, and the
/// runtime login itself can neither create, alter nor drop anything, nor change the audit table.
/// </summary>
public sealed class RuntimeLoginTests
{
    private static string Schema => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_rt";

    [Fact]
    public async Task a_node_on_the_runtime_login_serves_requests_and_that_login_cannot_change_the_schema_or_the_audit()
    {
        var owner = TestDatabase.ConnectionString;
        var runtime = RuntimeOf(owner);
        var runtimeLogin = new NpgsqlConnectionStringBuilder(runtime).Username!;
        await ExecuteAsync(owner, $"drop schema if exists {Schema} cascade; drop schema if exists {Schema}_identity cascade");

        // The owner's start: every schema change, then the grants.
        var ownerPass = await TestNodes.BootAsync("SSEP", Schema, b => b.UseSetting("SeizureIntel:RuntimeLogin", runtimeLogin));
        await ownerPass.StopAsync();
        await ownerPass.DisposeAsync();

        var host = await TestNodes.BootAsync("SSEP", Schema, b =>
        {
            b.UseSetting("SeizureIntel:ConnectionString", runtime);
            b.UseSetting("SeizureIntel:SchemaChecksAtStart", "false");
        });
        try
        {
            var created = await host.RecordAsync(new
            {
                facilityId = "SIZO-1", occurredAt = "2015-04-01T10:00:00+06:00", substance = "heroin",
                quantity = new { value = 12.5m, unit = "g" }, detection = "visitor-search",
            });
            var read = await host.GetJsonAsync($"/api/seizures/{created.Id}");
            read.GetProperty("reference").GetString().ShouldBe(created.Reference);
            await EventuallyAsync(async () => await host.YearGramsAsync(2015) == 12.5m, "the year figure counts the 12.5 g (daemon on the runtime login)");
            await host.GetJsonAsync("/api/hotspots?method=nnh&thresholdKm=500");
            await EventuallyAsync(async () => await CountAsync(owner, $"select count(*) from {Schema}.audit_log where path = '/api/seizures/{created.Id}'") == 1,
                "the read is in the audit, written by the runtime login");
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        foreach (var sql in new[]
                 {
                     $"create table {Schema}.probe (id int)",
                     $"create schema {Schema}_probe",
                     $"alter table {Schema}.mt_events add column probe int",
                     $"drop table {Schema}.mt_events",
                     $"create index probe on {Schema}.mt_streams (type)",
                     $"drop table {Schema}_identity.\"AspNetUsers\"",
                     $"create table {Schema}_identity.probe (id int)",
                     $"create or replace function {Schema}.audit_log_append_only() returns trigger language plpgsql as $$ begin return new; end $$",
                     $"alter table {Schema}.audit_log disable trigger audit_log_no_change",
                     $"update {Schema}.audit_log set user_name = 'someone else'",
                     $"delete from {Schema}.audit_log",
                     $"truncate {Schema}.audit_log",
                 })
            await ShouldBeRefusedAsync(runtime, sql);
        // What it may do, it does (the refusals above are not a login that can do nothing).
        (await CountAsync(runtime, $"select count(*) from {Schema}.audit_log")).ShouldBeGreaterThan(0);
    }
}
