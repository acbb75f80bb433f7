using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// A stream's state that the change pipeline checks before a use case decides: its version (the ETag), and whether this
/// node may change it at all (a partner's record received over sharing is read-only where it is received).
/// </summary>
public interface IChangeable
{
    Guid Id { get; }
    long Version { get; }

    /// <summary>The refusal for a change to a record this node only holds a copy of; null when it is this node's own.</summary>
    ProblemDetails? RefuseAsCopy();

    /// <summary>How the answers about this resource's version name it.</summary>
    static abstract VersionedResource Resource { get; }
}
