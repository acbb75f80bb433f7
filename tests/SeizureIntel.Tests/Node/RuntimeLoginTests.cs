using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using Npgsql;
using SeizureIntel.Identity;
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

    /// <summary>A node process's settings: SSEP on <paramref name="schema"/>, no demo data.</summary>
    private static Dictionary<string, string> ProcessSettings(string schema, string connection, string? owner = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["SeizureIntel__Agency"] = "SSEP", ["SeizureIntel__Schema"] = schema, ["SeizureIntel__ConnectionString"] = connection,
            ["SeizureIntel__LoadDemoData"] = "false", ["SeizureIntel__RateLimit__Burst"] = "0",
        };
        if (owner is not null) settings["SeizureIntel__OwnerConnectionString"] = owner;
        return settings;
    }

    [Fact]
    public async Task a_node_given_the_owner_connection_string_applies_a_fresh_schema_as_owner_grants_the_runtime_login_and_serves_on_it()
    {
        var schema = Schema + "o";
        var owner = TestDatabase.ConnectionString;
        var runtime = RuntimeOf(owner);
        var (ownerLogin, runtimeLogin) = (new NpgsqlConnectionStringBuilder(owner).Username!, new NpgsqlConnectionStringBuilder(runtime).Username!);
        await ExecuteAsync(owner, $"drop schema if exists {schema} cascade; drop schema if exists {schema}_identity cascade");

        // The real start-up path (Program.cs, Node/OwnerPass.cs) in its own process: runtime login plus owner login.
        await using var node = new NodeProcess("owner-pass", ProcessSettings(schema, runtime, owner));
        await node.StartHealthyAsync(180);

        // Applied by the owner: every table of both schemas is the owner login's, none the runtime login's.
        (await CountAsync(owner, $"select count(*) from pg_tables where schemaname in ('{schema}', '{schema}_identity')")).ShouldBeGreaterThan(10);
        (await CountAsync(owner, $"select count(*) from pg_tables where schemaname in ('{schema}', '{schema}_identity') and tableowner <> '{ownerLogin}'"))
            .ShouldBe(0, "every table made by the owner login");
        (await CountAsync(owner, $"select count(*) from pg_namespace where nspname in ('{schema}', '{schema}_identity') and nspowner::regrole::text = '{ownerLogin}'"))
            .ShouldBe(2);
        // Granted: data access for the runtime login, no CREATE.
        (await CountAsync(owner, $"select count(*) where has_table_privilege('{runtimeLogin}', '{schema}.mt_events', 'INSERT') " +
                                 $"and not has_schema_privilege('{runtimeLogin}', '{schema}', 'CREATE')")).ShouldBe(1);
        // The running node is on the runtime login: its connections are there, and that login cannot change the schema.
        (await CountAsync(owner, $"select count(*) from pg_stat_activity where usename = '{runtimeLogin}' and datname = current_database()"))
            .ShouldBeGreaterThan(0);
        await ShouldBeRefusedAsync(runtime, $"create table {schema}.probe (id int)");

        // Serves: demo accounts made on the runtime login (no owner pass for the command), a seizure recorded and read back.
        var seed = new NodeProcess("seed", new Dictionary<string, string>(ProcessSettings(schema, runtime)) { ["SeizureIntel__SchemaChecksAtStart"] = "false" }, node.Port);
        var credentials = await seed.SeedCredentialsAsync();
        using var officer = await node.ClientAsync(credentials, Roles.Officer);
        using var created = await officer.PostAsJsonAsync("/api/seizures", new
        {
            facilityId = "SIZO-1", occurredAt = "2015-04-01T10:00:00+06:00", substance = "heroin",
            quantity = new { value = 7.25m, unit = "g" }, detection = "visitor-search",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var read = await officer.GetFromJsonAsync<JsonElement>($"/api/seizures/{id}");
        read.GetProperty("quantity").GetProperty("value").GetDecimal().ShouldBe(7.25m);
        read.GetProperty("substance").GetString().ShouldBe("heroin");
        (await CountAsync(owner, $"select count(*) from {schema}.mt_events where stream_id = '{id}'")).ShouldBe(1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task a_node_on_the_runtime_login_alone_refuses_to_start_on_a_fresh_schema_and_says_what_to_do(bool schemaChecks)
    {
        var schema = Schema + "f";
        var owner = TestDatabase.ConnectionString;
        await ExecuteAsync(owner, $"drop schema if exists {schema} cascade; drop schema if exists {schema}_identity cascade");

        var settings = ProcessSettings(schema, RuntimeOf(owner));
        settings["SeizureIntel__SchemaChecksAtStart"] = schemaChecks.ToString().ToLowerInvariant();
        await using var node = new NodeProcess("runtime-only", settings);
        node.Start();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)))
            await node.Process!.WaitForExitAsync(timeout.Token);
        node.Process.ExitCode.ShouldNotBe(0, node.Log());
        (await node.HealthyAsync()).ShouldBeFalse("nothing half-started answers");
        var log = node.Log();
        log.ShouldContain($"schema {schema}) has not been applied yet");
        log.ShouldContain("SeizureIntel:OwnerConnectionString");
        log.ShouldContain("schema apply");
        (await CountAsync(owner, $"select count(*) from pg_namespace where nspname like '{schema}%'")).ShouldBe(0, "nothing created");
    }
}
