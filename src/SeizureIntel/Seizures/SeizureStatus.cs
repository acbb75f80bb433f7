namespace SeizureIntel.Seizures;

/// <summary>
/// Whether a seizure counts in the totals: "counted", "voided" (recorded in error; its stream stays) or "duplicate"
/// (the same physical seizure as another, which counts in its place). The one rule every view and message uses.
/// </summary>
public static class SeizureStatus
{
    public const string Counted = "counted";
    public const string Voided = "voided";
    public const string Duplicate = "duplicate";
    public static readonly string[] All = [Counted, Voided, Duplicate];

    public static string Of(bool voided, object? duplicateOf) => voided ? Voided : duplicateOf is not null ? Duplicate : Counted;
}
