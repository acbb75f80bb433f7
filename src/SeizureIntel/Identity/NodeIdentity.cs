using SeizureIntel.Agencies;

namespace SeizureIntel.Identity;

/// <summary>The agency running this node, resolved and validated once at start-up.</summary>
public sealed record NodeIdentity(string Agency, string Name)
{
    public static NodeIdentity For(string agency) =>
        KnownAgencies.Normalize(agency) is { } code
            ? new NodeIdentity(code, KnownAgencies.NameOf(code))
            : throw new InvalidOperationException(
                $"SeizureIntel:Agency '{agency}' is not a known agency; use one of {KnownAgencies.CodeList}.");
}
