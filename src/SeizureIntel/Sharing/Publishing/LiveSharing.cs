using Marten;
using Marten.Services;
using SeizureIntel.Seizures;
using Wolverine.Marten;

namespace SeizureIntel.Sharing.Publishing;

/// <summary>
/// The live lane of sharing (issue 16, point 1): a commit that changed a few seizures (a user recording or changing one)
/// shares their new states at once, in a transaction of its own right after that commit (the share ledger and the outbox
/// together, as the subscription does), instead of waiting for the sharing subscription to reach those events behind
/// whatever backlog it is paging through (an import, a partner back from an outage) and for the async daemon's next look.
/// The subscription stays the durable path: it reaches the same events later and shares the records again (a partner
/// applies only a newer version, so the second copy changes nothing), and it covers whatever the live lane could not send
/// (a crash between the two commits). Commits of many records at once (an import, a partner's batch) are left to the
/// subscription's pages, and so are commits made while <see cref="InFlight"/> live shares are still under way (many users
/// recording at once: the subscription sends their records many in one message, which costs the partner far less than one
/// transaction per record).
/// </summary>
public sealed class LiveSharing(IServiceProvider services) : DocumentSessionListenerBase
{
    /// <summary>A commit changing more seizures than this is bulk: left to the subscription.</summary>
    public const int MaximumRecords = 8;

    /// <summary>At most this many live shares at once; a commit beyond them is left to the subscription.</summary>
    public const int InFlight = 2;

    private readonly SemaphoreSlim _inFlight = new(InFlight);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        var ids = commit.GetEvents().Where(e => e.Data is ISeizureEvent).Select(e => e.StreamId).Distinct().Take(MaximumRecords + 1).ToArray();
        // Not awaited: the request that made the change is answered without waiting for its partners' copies.
        if (ids.Length is > 0 and <= MaximumRecords && _inFlight.Wait(0)) _ = Task.Run(() => ShareAsync(ids));
        return Task.CompletedTask;
    }

    private async Task ShareAsync(Guid[] ids)
    {
        try
        {
            using var scope = services.CreateScope();
            var store = scope.ServiceProvider.GetRequiredService<IDocumentStore>();
            var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
            var subscription = scope.ServiceProvider.GetRequiredService<SharingSubscription>();
            await using var session = store.LightweightSession();
            outbox.Enroll(session);
            await subscription.ShareSeizuresAsync(ids, session, outbox, scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
            await session.SaveChangesAsync();
        }
        catch (Exception e)
        {
            // The sharing subscription shares these records when it reaches their events.
            services.GetService<ILogger<LiveSharing>>()?.LogWarning(e, "Live sharing of {Records} record(s) failed; the sharing subscription will share them", ids.Length);
        }
        finally
        {
            _inFlight.Release();
        }
    }
}

/// <summary>Adds <see cref="LiveSharing"/> to the store's session listeners (on a node with partners only).</summary>
public sealed class LiveSharingSetup : IConfigureMarten
{
    public void Configure(IServiceProvider services, StoreOptions options) => options.Listeners.Add(new LiveSharing(services));
}
