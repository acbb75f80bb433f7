using JasperFx.CommandLine;
using Marten;

namespace SeizureIntel.Intelligence.Ledger;

public sealed class RebuildInput : NetCoreInput
{
    [Description("What to do: rebuild (every read model of the SeizureLedger projection, blue/green)")]
    public string Action { get; set; } = "";
}

/// <summary>
/// <c>read-models rebuild</c>: every read model the SeizureLedger projection keeps, rebuilt from the events by
/// <see cref="LedgerRebuild"/> (fold in memory, COPY into new tables, switch in one transaction), with a progress bar and
/// the rate printed. On the command line no daemon runs in the process: stop the node's daemon (or the node) first, or let a
/// running node do it (the benchmark bench-rebuild shows a node rebuilding while it serves). Marten's own
/// <c>projections --rebuild</c> still works; it applies the events batch by batch through the projection, about ten times slower.
/// </summary>
[Description("Rebuild the read models from the events, e.g. read-models rebuild", Name = "read-models")]
public sealed class RebuildCommand : JasperFxAsyncCommand<RebuildInput>
{
    public RebuildCommand()
    {
        Usage("Rebuild every read model of the SeizureLedger projection").Arguments(x => x.Action);
    }

    public override async Task<bool> Execute(RebuildInput input)
    {
        if (!string.Equals(input.Action?.Trim(), "rebuild", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"unknown action '{input.Action}': the actions are: rebuild");
            return false;
        }
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var rebuild = ActivatorUtilities.CreateInstance<LedgerRebuild>(host.Services);
        var bar = new ProgressBar(Console.Out);
        var outcome = await rebuild.RunAsync(bar, whileServing: false, CancellationToken.None);
        bar.Done();
        Console.WriteLine(Describe(outcome));
        return true;
    }

    public static string Describe(LedgerRebuild.Outcome o) =>
        $"read-models rebuild: {o.Events:N0} events ({o.SeizureEvents:N0} of seizures, {o.Seizures:N0} seizures, {o.Parked} parked) up to sequence " +
        $"{o.UpTo:N0}{(o.WhileServing ? $", then {o.CaughtUp:N0} appended meanwhile" : "")} in {o.Total.TotalSeconds:F1} s: " +
        $"{o.EventsPerSecond:N0} events/s (fold {o.Fold.TotalSeconds:F1} s of which summing {o.Summing.TotalSeconds:F1} s, write {o.Write.TotalSeconds:F1} s, catch-up {o.CatchUp.TotalSeconds:F1} s, " +
        $"switch {o.Switch.TotalSeconds:F2} s)";
}

/// <summary>A one-line progress bar: phase, bar, done of total, rate.</summary>
public sealed class ProgressBar(TextWriter output) : IProgress<LedgerRebuild.Progress>
{
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly System.Diagnostics.Stopwatch phaseClock = System.Diagnostics.Stopwatch.StartNew();
    private string phase = "";
    private long lastDrawn = -1;

    public void Report(LedgerRebuild.Progress p)
    {
        lock (this)
        {
            if (p.Phase != phase)
            {
                if (phase != "") output.WriteLine();
                phase = p.Phase;
                phaseClock.Restart();
            }
            var now = clock.ElapsedMilliseconds;
            if (p.Done != p.Total && now - lastDrawn < 250) return;
            lastDrawn = now;
            const int width = 30;
            var share = p.Total == 0 ? 1 : Math.Clamp((double)p.Done / p.Total, 0, 1);
            var filled = (int)(share * width);
            var rate = p.Done / Math.Max(phaseClock.Elapsed.TotalSeconds, 0.001);
            output.Write($"\r{phase,-7}[{new string('#', filled)}{new string('.', width - filled)}] {share,4:P0} {p.Done:N0}/{p.Total:N0} {rate:N0}/s   ");
        }
    }

    public void Done()
    {
        lock (this) output.WriteLine();
    }
}
