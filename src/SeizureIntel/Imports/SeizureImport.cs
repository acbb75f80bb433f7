using System.Text.Json.Serialization;
using SeizureIntel.Imports.Reading;

namespace SeizureIntel.Imports;

/// <summary>Where an import stands.</summary>
public enum ImportStatus
{
    /// <summary>Stored, waiting for its turn.</summary>
    Queued,
    /// <summary>Reading and checking every row; nothing written yet.</summary>
    Validating,
    /// <summary>Writing the valid rows, one transaction per batch.</summary>
    Writing,
    /// <summary>Done: every valid row is recorded (or was recorded before).</summary>
    Completed,
    /// <summary>A dry run that found every row valid (or the refusals listed); nothing written.</summary>
    Checked,
    /// <summary>Some rows were refused and skipInvalid was not asked for: nothing was written.</summary>
    Refused,
    /// <summary>The file could not be read at all (line 1 says why); nothing written.</summary>
    Failed,
}

/// <summary>
/// One import of a seizure file: its options, progress and outcome, and its refusals (line, column, value, why).
/// Stored as a Marten document; its progress is saved in the transaction of each batch it writes, so a crash leaves
/// it in Writing with the last committed line, and the node resumes it at start-up.
/// </summary>
public sealed class SeizureImport
{
    public const int MaxStoredRefusals = 10_000;

    public Guid Id { get; set; }
    public string Agency { get; set; } = "";
    public string User { get; set; } = "";
    public string? FileName { get; set; }
    public string FileSha256 { get; set; } = "";
    public long FileBytes { get; set; }
    public string? Format { get; set; }
    public ImportStatus Status { get; set; }
    public bool SkipInvalid { get; set; }
    public bool DryRun { get; set; }
    public string? MappingJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public int RowsRead { get; set; }
    public int RowsValid { get; set; }
    public int RowsImported { get; set; }
    /// <summary>Valid rows not written because the same seizure was imported before (same agency + reference, or same content).</summary>
    public int RowsAlreadyImported { get; set; }
    public int RowsRefused { get; set; }
    /// <summary>The last line whose batch is committed (resuming starts after it).</summary>
    public int LastCommittedLine { get; set; }
    public int Resumed { get; set; }
    public List<ImportRefusal> Refusals { get; set; } = [];
    /// <summary>How the read models took up the imported events (set after a completed import that wrote rows; see <see cref="IAfterImport"/>).</summary>
    public ImportReadModels? ReadModels { get; set; }

    [JsonIgnore] public bool Finished => Status is ImportStatus.Completed or ImportStatus.Checked or ImportStatus.Refused or ImportStatus.Failed;

    public void Refuse(IEnumerable<ImportRefusal> refusals)
    {
        foreach (var refusal in refusals)
            if (Refusals.Count < MaxStoredRefusals) Refusals.Add(refusal);
    }
}
