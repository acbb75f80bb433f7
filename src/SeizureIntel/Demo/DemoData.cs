using System.Text.Json;
using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Sharing;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Demo;

/// <summary>Marks that this store holds the demo data set, so it is loaded once.</summary>
public sealed class DemoDataLoad
{
    public string Id { get; set; } = "demo";
    public DateTimeOffset LoadedAt { get; set; }
    public int Seizures { get; set; }
}

/// <summary>
/// The synthetic demo data set in Demo/demo-seizures.json: invented seizures whose yearly totals equal the founding
/// document's published figures (119.9 kg in 2014, 140.9 kg in 2015). Every event it writes carries Demo = true.
/// </summary>
public static class DemoData
{
    public const string DemoUser = "demo-loader";

    /// <summary>A demo seizure and the agency that records it.</summary>
    public sealed record DemoSeizure(string Agency, RecordSeizure Seizure);

    public sealed record DemoFile(string Note, List<DemoSeizure> Seizures);

    public static DemoFile Read()
    {
        using var stream = typeof(DemoData).Assembly.GetManifestResourceStream("SeizureIntel.Demo.demo-seizures.json")
                           ?? throw new InvalidOperationException("embedded demo-seizures.json is missing");
        var root = JsonDocument.Parse(stream).RootElement;
        var seizures = root.GetProperty("seizures").EnumerateArray()
            .Select(e => new DemoSeizure(e.GetProperty("agency").GetString()!, e.Deserialize<RecordSeizure>(JsonSerializerOptions.Web)!))
            .ToList();
        return new DemoFile(root.GetProperty("note").GetString()!, seizures);
    }

    public static void AddDemoData(this WebApplicationBuilder builder, bool load)
    {
        if (load) builder.Services.AddHostedService<DemoDataLoader>();
    }

    /// <summary>
    /// Records the demo seizures through the same validation and the same recording as POST /api/seizures
    /// (<see cref="SeizureRecording"/>), in one transaction; the sharing subscription shares them like any other record. A
    /// node with sharing partners records only the seizures its own agency recorded (the partners record theirs and send
    /// them); a node alone records them all as its own. Returns the number recorded, or 0 when the store already holds them.
    /// </summary>
    public static Task<int> LoadAsync(IServiceProvider node, CancellationToken token) =>
        LoadAsync(node.GetRequiredService<IDocumentStore>(), node.GetRequiredService<SeizureFields>(), node.GetRequiredService<SharingOptions>(),
            node.GetRequiredService<NodeIdentity>(), node.GetRequiredService<TimeProvider>(), token);

    private static async Task<int> LoadAsync(IDocumentStore store, SeizureFields fields, SharingOptions sharing, NodeIdentity node, TimeProvider time,
        CancellationToken token)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<DemoDataLoad>("demo", token) is not null) return 0;

        var file = Read();
        var mine = sharing.Enabled ? file.Seizures.Where(s => s.Agency == node.Agency).ToList() : file.Seizures;
        var now = time.GetUtcNow();
        var actor = new Actor(DemoUser, node.Agency);
        for (var i = 0; i < mine.Count; i++)
        {
            var (seizure, problems) = SeizureRules.Check(mine[i].Seizure, fields, now);
            if (seizure is null)
                throw new InvalidOperationException($"demo seizure #{i + 1}: " +
                    string.Join("; ", problems.Errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
            await SeizureRecording.StartAsync(session, seizure, actor, now, token, demo: true);
        }

        session.Store(new DemoDataLoad { LoadedAt = now, Seizures = mine.Count });
        await session.SaveChangesAsync(token);
        return mine.Count;
    }

    private sealed class DemoDataLoader(IDocumentStore store, SeizureFields fields, SharingOptions sharing, NodeIdentity node,
        TimeProvider time, ILogger<DemoDataLoader> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var count = await LoadAsync(store, fields, sharing, node, time, cancellationToken);
            logger.LogInformation(count > 0 ? "Loaded {Count} synthetic demo seizures" : "Demo data already loaded", count);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
