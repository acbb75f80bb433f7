using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace SeizureIntel.Tests.Sharing;

/// <summary>
/// RabbitMQ (issue 12, point 5): one broker user per agency on the installation's vhost, with the permissions
/// ops/rabbitmq gives it — consume only its own inbox queues, publish only to the exchange of a partner's inbox from it
/// (never by the default exchange) — and no guest. Checked as the real broker refuses or allows each user's operations.
/// </summary>
public sealed class BrokerPermissionTests
{
    private static readonly string Prefix = (Environment.GetEnvironmentVariable("SEIZUREINTEL_TEST_SCHEMA") ?? "tests") + "_rp";
    private static int Port => int.Parse(Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_PORT") ?? "5672");
    private static string VirtualHost => Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_VHOST") ?? "seizureintel";

    private static Task<IConnection> ConnectAsync(string user, string password, string? vhost = null) =>
        new ConnectionFactory { HostName = "127.0.0.1", Port = Port, VirtualHost = vhost ?? VirtualHost, UserName = user, Password = password }
            .CreateConnectionAsync();

    private static Task<IConnection> AgencyAsync(string agency) => ConnectAsync($"seizureintel_{agency}",
        Environment.GetEnvironmentVariable($"SEIZUREINTEL_RABBITMQ_PASSWORD_{agency.ToUpperInvariant()}")
        ?? throw new InvalidOperationException("the agencies' broker passwords come from ops/test (.local/secrets.env)"));

    private static string Queue(string receiver, string sender) => $"{Prefix}_{receiver}_from_{sender}";
    private static string Exchange(string receiver, string sender) => $"{Queue(receiver, sender)}_exchange";

    /// <summary>The receiver's part of a channel, as a node declares it: its queue, its exchange, the binding.</summary>
    private static async Task DeclareChannelAsync(IConnection receiver, string r, string s)
    {
        await using var channel = await receiver.CreateChannelAsync();
        await channel.QueueDeclareAsync(Queue(r, s), durable: true, exclusive: false, autoDelete: false);
        await channel.ExchangeDeclareAsync(Exchange(r, s), ExchangeType.Fanout, durable: true);
        await channel.QueueBindAsync(Queue(r, s), Exchange(r, s), "");
    }

    /// <summary>Runs a publish, then a round trip on the same channel: a refused publish has closed it by then.</summary>
    private static async Task<ShutdownEventArgs?> PublishAsync(IConnection connection, string exchange, string routingKey)
    {
        var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.BasicPublishAsync(exchange, routingKey, "probe"u8.ToArray());
            await channel.ExchangeDeclarePassiveAsync("amq.direct");
        }
        catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException) { }
        return channel.CloseReason;
    }

    [Fact]
    public async Task an_agency_user_may_publish_only_to_its_partners_inbox_from_it_and_consume_only_its_own()
    {
        await using var ssep = await AgencyAsync("ssep");
        await using var ssdc = await AgencyAsync("ssdc");
        await DeclareChannelAsync(ssep, "ssep", "ssdc");
        await DeclareChannelAsync(ssdc, "ssdc", "ssep");
        await using (var purge = await ssep.CreateChannelAsync()) await purge.QueuePurgeAsync(Queue("ssep", "ssdc"));

        // Allowed: SSDC publishes into SSEP's inbox from SSDC, and SSEP takes it from there.
        (await PublishAsync(ssdc, Exchange("ssep", "ssdc"), "")).ShouldBeNull();
        await using (var get = await ssep.CreateChannelAsync())
        {
            BasicGetResult? got = null;
            for (var i = 0; i < 50 && got is null; i++)
            {
                got = await get.BasicGetAsync(Queue("ssep", "ssdc"), autoAck: true);
                if (got is null) await Task.Delay(100);
            }
            got.ShouldNotBeNull("SSEP reads what SSDC published to it");
        }

        // Refused by the broker: SSEP publishing into its own inbox as if it were SSDC (by the channel's exchange or by
        // the default exchange), SSDC publishing by the default exchange, SSDC consuming or reading SSEP's inbox.
        foreach (var (who, connection, exchange, key) in new[]
                 {
                     ("SSEP as SSDC", ssep, Exchange("ssep", "ssdc"), ""),
                     ("SSEP by the default exchange", ssep, "", Queue("ssep", "ssdc")),
                     ("SSDC by the default exchange", ssdc, "", Queue("ssep", "ssdc")),
                 })
        {
            var closed = await PublishAsync(connection, exchange, key);
            closed.ShouldNotBeNull(who);
            ((int)closed.ReplyCode).ShouldBe(Constants.AccessRefused, $"{who}: {closed.ReplyText}");
        }
        await using (var steal = await ssdc.CreateChannelAsync())
        {
            var refused = await Should.ThrowAsync<OperationInterruptedException>(() =>
                steal.BasicConsumeAsync(Queue("ssep", "ssdc"), autoAck: true, new AsyncEventingBasicConsumer(steal)));
            ((int)refused.ShutdownReason!.ReplyCode).ShouldBe(Constants.AccessRefused, refused.ShutdownReason.ReplyText);
        }
        await using (var peek = await ssdc.CreateChannelAsync())
        {
            var refused = await Should.ThrowAsync<OperationInterruptedException>(() => peek.BasicGetAsync(Queue("ssep", "ssdc"), autoAck: true));
            ((int)refused.ShutdownReason!.ReplyCode).ShouldBe(Constants.AccessRefused, refused.ShutdownReason.ReplyText);
        }
        // Nor may SSDC bind an exchange it can write to onto SSEP's queue (a way round the exchange's permission).
        await using (var bind = await ssdc.CreateChannelAsync())
        {
            var refused = await Should.ThrowAsync<OperationInterruptedException>(() => bind.QueueBindAsync(Queue("ssep", "ssdc"), Exchange("ssep", "ssdc"), ""));
            ((int)refused.ShutdownReason!.ReplyCode).ShouldBe(Constants.AccessRefused, refused.ShutdownReason.ReplyText);
        }
    }

    [Fact]
    public async Task guest_cannot_connect()
    {
        // Never to the installation's vhost; and on a broker ops/rabbitmq created itself (CI), guest does not exist at all.
        await RefusedAsync("guest", "guest");
        if (Environment.GetEnvironmentVariable("SEIZUREINTEL_RABBITMQ_OWN_BROKER") == "1")
            await RefusedAsync("guest", "guest", "/");
    }

    /// <summary>
    /// The broker refuses the login or the vhost on connection.open. The client usually says so at once
    /// (BrokerUnreachableException), but it may hand back the connection and report the broker's close on first use
    /// (seen on a loaded machine): either way nothing can be done on it.
    /// </summary>
    private static async Task RefusedAsync(string user, string password, string? vhost = null)
    {
        var refused = await Should.ThrowAsync<Exception>(async () =>
        {
            await using var connection = await ConnectAsync(user, password, vhost);
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclarePassiveAsync("amq.fanout");
        });
        (refused is BrokerUnreachableException or OperationInterruptedException)
            .ShouldBeTrue($"{user} on {vhost ?? VirtualHost}: {refused.GetType().Name} {refused.Message}");
    }
}
