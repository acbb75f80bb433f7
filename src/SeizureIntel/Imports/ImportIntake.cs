using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Imports.Reading;

namespace SeizureIntel.Imports;

/// <summary>What an import is asked to do besides reading the file.</summary>
public sealed record ImportOptions(bool SkipInvalid, bool DryRun, string? MappingJson, string? FileName);

/// <summary>
/// Takes a file in: hashes it, stores it with its import (status Queued) in one transaction, so that the node can run
/// it now and resume it after a crash. Used by POST /api/imports and by the import command alike.
/// </summary>
public static class ImportIntake
{
    public static async Task<SeizureImport> CreateAsync(IDocumentStore store, Stream seekableFile, ImportOptions options, Actor by,
        DateTimeOffset now, CancellationToken token)
    {
        seekableFile.Position = 0;
        var facts = await TextDetection.ScanAsync(seekableFile, token);
        seekableFile.Position = 0;
        var import = new SeizureImport
        {
            Id = Guid.CreateVersion7(now), Agency = by.Agency, User = by.User, FileName = options.FileName, FileSha256 = facts.Sha256,
            FileBytes = facts.Length, Format = facts.Xlsx ? "xlsx" : "csv", Status = ImportStatus.Queued, SkipInvalid = options.SkipInvalid,
            DryRun = options.DryRun, MappingJson = options.MappingJson, CreatedAt = now,
        };
        await using var session = store.LightweightSession();
        await ImportStorage.SaveFileAsync(session, import.Id, seekableFile, token);
        session.Store(import);
        await session.SaveChangesAsync(token);
        return import;
    }

    /// <summary>A temporary file (deleted when closed) holding a copy of the stream.</summary>
    public static async Task<FileStream> SpoolAsync(Stream content, CancellationToken token)
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        await content.CopyToAsync(file, token);
        file.Position = 0;
        return file;
    }
}
