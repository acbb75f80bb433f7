using System.Globalization;
using JasperFx;
using Marten;
using Npgsql;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Reference;
using SeizureIntel.Seizures.Quantities;

namespace SeizureIntel.Node;

/// <summary>
/// The node binary's <c>projections</c> command line, in front of JasperFx's:
/// <list type="bullet">
/// <item><c>projections verify</c>: recompute every read model from the events (<see cref="VerifyLedger"/>), print what was
/// compared and each difference; exit 0 when consistent, 3 on a difference (a script or cron job can alert on it). Reads
/// only: safe while nodes run.</item>
/// <item><c>projections rebuild</c> (and JasperFx's other forms of it): refused (exit 4) while a node's async daemon runs
/// on the same store (<see cref="DaemonLock"/>); otherwise it holds the daemon lock for as long as the rebuild runs, so
/// no node's daemon starts writing the same read models meanwhile. Heal a running node with POST /api/projections/heal.</item>
/// </list>
/// Everything else goes to JasperFx unchanged.
/// </summary>
public static class ProjectionsCommandLine
{
    public const int Inconsistent = 3;
    public const int DaemonRunning = 4;

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var words = args.TakeWhile(a => !a.StartsWith('-') || a == "--rebuild").Select(a => a.ToLowerInvariant()).ToList();
        // No command: run the node. Straight to the host, without JasperFx's command discovery, which loads and scans
        // every assembly beside the binary (a second of start-up on a loaded machine); settings in args are read already.
        if (args.Length == 0)
        {
            // Endpoints and the identity model, built on the second core while the host starts (StartupWarmUp.cs).
            _ = StartupWarmUp.Begin(app);
            await app.RunAsync();
            return 0;
        }
        if (words.Count == 0 || words[0] != "projections") return await app.RunJasperFxCommands(args);
        if (words.Contains("verify")) return await VerifyAsync(app);
        if (!words.Contains("rebuild") && !words.Contains("--rebuild")) return await app.RunJasperFxCommands(args);

        var node = app.Services.GetRequiredService<NodeOptions>();
        await using var connection = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        if (!await DaemonLock.TryTakeAsync(connection, node.Schema))
        {
            Console.Error.WriteLine($"projections rebuild: refused: a node's async daemon is running on store '{node.Schema}' (it holds " +
                                    $"the lock '{DaemonLock.KeyOf(node.Schema)}'). Stop that node first, or heal it while it runs: POST /api/projections/heal.");
            return DaemonRunning;
        }
        // Held on this connection until the rebuild has finished.
        return await app.RunJasperFxCommands(args);
    }

    private static async Task<int> VerifyAsync(WebApplication app)
    {
        var services = app.Services;
        var verification = await VerifyLedger.RunAsync(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<ReferenceData>(),
            services.GetRequiredService<QuantityConverter>(), CancellationToken.None);
        var schema = services.GetRequiredService<NodeOptions>().Schema;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"projections verify: store '{schema}', ledger applied up to event {verification.UpToEvent}"));
        foreach (var (model, count) in verification.Checked ?? new Dictionary<string, int>())
        {
            var differing = verification.Differences.Count(d => d.ReadModel == model);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model,-22} {count,8} compared, {differing} different"));
        }
        foreach (var d in verification.Differences)
            Console.WriteLine($"  DIFFERENT {d.ReadModel} {d.Id}: from the events {d.Expected}; stored {d.Stored}");
        Console.WriteLine(verification.Consistent
            ? "projections verify: consistent"
            : $"projections verify: {verification.Differences.Count} difference(s): heal with POST /api/projections/heal, or projections rebuild while no node runs");
        return verification.Consistent ? 0 : Inconsistent;
    }
}
