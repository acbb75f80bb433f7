using JasperFx.Events.Projections;
using Marten;

namespace SeizureIntel.Intelligence.Effort;

/// <summary>How search-effort entries join the node's event store. NodeApp calls this after AddEventStore.</summary>
public static class EffortSetup
{
    public static void AddSearchEffort(this WebApplicationBuilder builder) =>
        builder.Services.ConfigureMarten(opts =>
        {
            // One stream per entry; its state is an inline snapshot, so the rates read it at once after a write.
            opts.Projections.Snapshot<EffortRecord>(SnapshotLifecycle.Inline);
            // The rates filter entries by facility and month range: columns of their own, indexed.
            opts.Schema.For<EffortRecord>().Duplicate(e => e.Facility).Duplicate(e => e.MonthIndex);
        });
}
