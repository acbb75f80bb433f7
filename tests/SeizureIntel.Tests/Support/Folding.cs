using System.Reflection;
using System.Text.Json;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Tests.Support;

/// <summary>
/// Folds events into an aggregate in a pure test, the way Marten's projection does it: each event through the
/// aggregate's own Apply method, and the version one further per event. Production code never folds by hand: Marten
/// keeps the snapshots and the sharing subscription reads them.
/// </summary>
public static class Folding
{
    public static T With<T>(this T aggregate, params object[] events) where T : class, IChangeable
    {
        foreach (var e in events)
        {
            var apply = typeof(T).GetMethod("Apply", BindingFlags.Public | BindingFlags.Instance, [e.GetType()])
                        ?? throw new InvalidOperationException($"{typeof(T).Name} has no Apply({e.GetType().Name})");
            apply.Invoke(aggregate, [e]);
            typeof(T).GetProperty(nameof(IChangeable.Version))!.SetValue(aggregate, aggregate.Version + 1);
        }
        return aggregate;
    }

    /// <summary>The state after the events, on a copy (the state before stays as it was).</summary>
    public static T After<T>(this T aggregate, IEnumerable<object> events) where T : class, IChangeable =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(aggregate))!.With(events.ToArray());
}
