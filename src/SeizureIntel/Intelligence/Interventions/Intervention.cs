using JasperFx.Events.Projections;
using Marten;
using SeizureIntel.Identity;

namespace SeizureIntel.Intelligence.Interventions;

/// <summary>
/// Something a facility changed to find or stop drugs (an X-ray scanner, a special inspection group), from a local
/// date, at one or more facilities. <paramref name="CoInterventions"/> names what was introduced at the same time
/// (free text, or the id of another registered intervention), so that an effect is not credited to one of them alone.
/// </summary>
public sealed record InterventionRegistered(
    Guid InterventionId, string Kind, IReadOnlyList<string> Facilities, DateOnly StartedOn, string Description, IReadOnlyList<string> CoInterventions,
    Actor By, DateTimeOffset At) : IAttributedEvent;

/// <summary>A registered intervention, folded from its stream and kept as an inline snapshot.</summary>
public sealed class Intervention
{
    public Guid Id { get; set; }
    public long Version { get; set; }
    public string Kind { get; set; } = "";
    public List<string> Facilities { get; set; } = [];
    public DateOnly StartedOn { get; set; }
    public string Description { get; set; } = "";
    public List<string> CoInterventions { get; set; } = [];
    public Actor RegisteredBy { get; set; } = new("", "");
    public DateTimeOffset RegisteredAt { get; set; }

    public static Intervention Create(InterventionRegistered e) => new()
    {
        Id = e.InterventionId,
        Kind = e.Kind,
        Facilities = [.. e.Facilities],
        StartedOn = e.StartedOn,
        Description = e.Description,
        CoInterventions = [.. e.CoInterventions],
        RegisteredBy = e.By,
        RegisteredAt = e.At,
    };
}

public static class InterventionsSetup
{
    public static void AddInterventions(this WebApplicationBuilder builder) =>
        builder.Services.ConfigureMarten(opts => opts.Projections.Snapshot<Intervention>(SnapshotLifecycle.Inline));
}
