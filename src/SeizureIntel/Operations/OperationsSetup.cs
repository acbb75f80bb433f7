using Marten;
using JasperFx.Events.Projections;

namespace SeizureIntel.Operations;

/// <summary>How joint operations join the node's event store. Program.cs calls this after AddEventStore.</summary>
public static class OperationsSetup
{
    public static void AddJointOperations(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            // One stream per operation; its state is an inline snapshot, so reads after a write see it at once.
            opts.Projections.Snapshot<JointOperation>(SnapshotLifecycle.Inline);
        });
    }
}
