using System.Text.Json;
using Marten;
using SeizureIntel.Node;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;
using SeizureIntel.Seizures.References;

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

    public sealed record DemoFile(string Note, List<RecordSeizure> Seizures);

    public static DemoFile Read()
    {
        using var stream = typeof(DemoData).Assembly.GetManifestResourceStream("SeizureIntel.Demo.demo-seizures.json")
                           ?? throw new InvalidOperationException("embedded demo-seizures.json is missing");
        return JsonSerializer.Deserialize<DemoFile>(stream, JsonSerializerOptions.Web)
               ?? throw new InvalidOperationException("demo-seizures.json is empty");
    }

    public static void AddDemoData(this WebApplicationBuilder builder, NodeOptions node)
    {
        if (node.LoadDemoData) builder.Services.AddHostedService<DemoDataLoader>();
    }

    /// <summary>
    /// Records every demo seizure as this node's own, through the same validation and event as the HTTP API, in one
    /// transaction. Returns the number recorded, or 0 when the store already holds the demo data.
    /// </summary>
    public static async Task<int> LoadAsync(IDocumentStore store, SeizureFields fields, NodeIdentity node, TimeProvider time,
        CancellationToken token)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<DemoDataLoad>("demo", token) is not null) return 0;

        var file = Read();
        var now = time.GetUtcNow();
        var actor = new Actor(DemoUser, node.Agency);
        for (var i = 0; i < file.Seizures.Count; i++)
        {
            var (seizure, problems) = SeizureRules.Check(file.Seizures[i], fields, now);
            if (seizure is null)
                throw new InvalidOperationException($"demo seizure #{i + 1}: " +
                    string.Join("; ", problems.Errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
            var reference1 = await ReferenceAllocator.NextAsync(session, node.Agency, seizure.LocalDate.Year, token);
            var id = Guid.CreateVersion7(now);
            session.Events.StartStream<Seizure>(id, SeizureRules.Recorded(id, seizure, reference1, actor, now, demo: true));
        }

        session.Store(new DemoDataLoad { LoadedAt = now, Seizures = file.Seizures.Count });
        await session.SaveChangesAsync(token);
        return file.Seizures.Count;
    }

    private sealed class DemoDataLoader(IDocumentStore store, SeizureFields fields, NodeIdentity node, TimeProvider time,
        ILogger<DemoDataLoader> logger) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var count = await LoadAsync(store, fields, node, time, cancellationToken);
            logger.LogInformation(count > 0 ? "Loaded {Count} synthetic demo seizures" : "Demo data already loaded", count);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
