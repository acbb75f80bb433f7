using SeizureIntel.Agencies;

namespace SeizureIntel.Pipeline;

/// <summary>An agency named in a request, checked against <see cref="KnownAgencies"/>.</summary>
public static class AgencyFields
{
    /// <summary>The agency's code, or null with the problem named for <paramref name="field"/>.</summary>
    public static string? Agency(this Problems problems, string field, string? value, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        if (KnownAgencies.Normalize(value) is { } code) return code;
        problems.Fail(field, $"'{value.Trim()}' is not a known agency; use one of {KnownAgencies.CodeList}");
        return null;
    }
}
