using System.Text.Json;
using Alba;
using Microsoft.AspNetCore.Hosting;
using Npgsql;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Support.DatabaseLogins;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// Per-channel queue grants (issue 12, point 5), on the demo machine's shared database as ops/postgres sets it up: each
/// agency's owner login applies its node's schema and queue tables; its runtime login may insert only into the partner's
/// inbox from it and read and delete only its own inboxes (Node/RuntimeGrants.cs). Checked as the database refuses or
/// allows each login's statements, and by two nodes on their runtime logins that still share.
/// </summary>
public sealed class ChannelGrantTests
{
    private static string Prefix => (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_ch";
    private static string Port => Environment.GetEnvironmentVariable("SEIZUREINTEL_PG_PORT") ?? "55432";

    private static string Login(string login) =>
        $"Host=127.0.0.1;Port={Port};Database=seizureintel;Username=seizureintel_{login};Password={TestDatabase.PasswordOf(login)}";

    private static string Inbox(string receiver, string sender) => $"wolverine_queues.wolverine_queue_{Prefix}_{receiver}_from_{sender}";

    private static Action<IWebHostBuilder> Settings(string agency, string partner, bool owner) => b =>
    {
        var a = agency.ToLowerInvariant();
        b.UseSetting("SeizureIntel:ConnectionString", Login(owner ? a : $"{a}_runtime"));
        b.UseSetting("SeizureIntel:Sharing:Transport", "postgresql");
        b.UseSetting("SeizureIntel:Sharing:QueueSchema", "wolverine_queues");
        b.UseSetting("SeizureIntel:Sharing:QueuePrefix", Prefix);
        b.UseSetting("SeizureIntel:Sharing:Partners:0:Agency", partner);
        b.UseSetting("SeizureIntel:Sharing:Partners:0:PolicyId", "MOU-SSEP-SSDC");
        b.UseSetting("SeizureIntel:Sharing:Partners:0:Records", "all");
        if (owner) b.UseSetting("SeizureIntel:RuntimeLogin", $"seizureintel_{a}_runtime");
        else b.UseSetting("SeizureIntel:SchemaChecksAtStart", "false");
    };

    private static string Probe(string table) =>
        $"begin; insert into {table} (id, body, message_type) values (gen_random_uuid(), '\\x00'::bytea, 'probe'); rollback;";

    [Fact]
    public async Task each_runtime_login_may_only_write_to_its_partners_inbox_and_read_its_own_and_two_nodes_share_on_them()
    {
        foreach (var a in new[] { "ssep", "ssdc" })
            await ExecuteAsync(Login(a), $"drop schema if exists {Prefix}_{a} cascade; drop schema if exists {Prefix}_{a}_identity cascade");
        foreach (var (r, s) in new[] { ("ssep", "ssdc"), ("ssdc", "ssep") })
            await ExecuteAsync(Login("ssep"), $"drop table if exists {Inbox(r, s)}; drop table if exists {Inbox(r, s)}_scheduled");

        foreach (var (agency, partner) in new[] { ("SSEP", "SSDC"), ("SSDC", "SSEP") })
        {
            var ownerPass = await TestNodes.BootAsync(agency, $"{Prefix}_{agency.ToLowerInvariant()}", Settings(agency, partner, owner: true));
            await ownerPass.StopAsync();
            await ownerPass.DisposeAsync();
        }

        var ssdc = Login("ssdc_runtime");
        var ssep = Login("ssep_runtime");
        // SSDC's login reading, emptying or writing into SSEP's inbox from SSDC only as the sender: it may insert, nothing else.
        await ShouldBeRefusedAsync(ssdc, $"select * from {Inbox("ssep", "ssdc")}");
        await ShouldBeRefusedAsync(ssdc, $"delete from {Inbox("ssep", "ssdc")}");
        await ShouldBeRefusedAsync(ssdc, $"update {Inbox("ssep", "ssdc")} set message_type = 'x'");
        await ShouldBeRefusedAsync(ssdc, $"select * from {Inbox("ssep", "ssdc")}_scheduled");
        var probe = Guid.NewGuid();
        await ExecuteAsync(ssdc, $"insert into {Inbox("ssep", "ssdc")} (id, body, message_type) values ('{probe}', '\\x00'::bytea, 'probe')");
        // It sees the ids waiting there (its own messages: the channel is from it alone), never their content.
        (await CountAsync(ssdc, $"select count(id) from {Inbox("ssep", "ssdc")} where id = '{probe}'")).ShouldBe(1);
        await ShouldBeRefusedAsync(ssdc, $"select body from {Inbox("ssep", "ssdc")}");
        (await CountAsync(ssep, $"select count(*) from {Inbox("ssep", "ssdc")} where id = '{probe}'")).ShouldBe(1); // SSEP reads it
        await ExecuteAsync(ssep, $"delete from {Inbox("ssep", "ssdc")} where id = '{probe}'");
        // ... and may read and empty its own inbox, but not write into it as if it were SSEP.
        await ExecuteAsync(ssdc, $"select * from {Inbox("ssdc", "ssep")}; delete from {Inbox("ssdc", "ssep")} where false");
        await ShouldBeRefusedAsync(ssdc, Probe(Inbox("ssdc", "ssep")));
        // The same the other way round.
        await ShouldBeRefusedAsync(ssep, $"select * from {Inbox("ssdc", "ssep")}");
        await ShouldBeRefusedAsync(ssep, $"delete from {Inbox("ssdc", "ssep")}");
        await ExecuteAsync(ssep, Probe(Inbox("ssdc", "ssep")));
        // No runtime login may make or remove queue tables, nor reach the other node's store.
        await ShouldBeRefusedAsync(ssdc, "create table wolverine_queues.probe (id int)");
        await ShouldBeRefusedAsync(ssdc, $"drop table {Inbox("ssdc", "ssep")}");
        await ShouldBeRefusedAsync(ssdc, $"select count(*) from {Prefix}_ssep.mt_events");

        // And on exactly these grants the two nodes share, both ways (the receipt goes back on SSEP's inbox from SSDC).
        var ssepNode = await TestNodes.BootAsync("SSEP", $"{Prefix}_ssep", Settings("SSEP", "SSDC", owner: false));
        var ssdcNode = await TestNodes.BootAsync("SSDC", $"{Prefix}_ssdc", Settings("SSDC", "SSEP", owner: false));
        try
        {
            var a = await ssepNode.RecordAsync(new
            {
                facilityId = "SIZO-1", occurredAt = "2015-04-01T10:00:00+06:00", substance = "heroin",
                quantity = new { value = 7m, unit = "g" }, detection = "visitor-search",
            });
            await EventuallyAsync(async () =>
            {
                var result = await ssdcNode.Scenario(s => { s.Get.Url($"/api/seizures/{a.Id}"); s.IgnoreStatusCode(); });
                return result.Context.Response.StatusCode == 200;
            }, "SSDC has SSEP's seizure", 60);
            await EventuallyAsync(async () =>
            {
                var status = await ssepNode.GetJsonAsync("/api/sharing/status");
                return status.GetProperty("partners").EnumerateArray().Single().GetProperty("delivered").GetInt32() == 1;
            }, "SSEP's status shows SSDC's receipt", 60);
        }
        finally
        {
            foreach (var node in new[] { ssdcNode, ssepNode })
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }
        }
    }
}
