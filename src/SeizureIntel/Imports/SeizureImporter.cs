using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Imports;

/// <summary>
/// Runs an import: pass 1 reads and checks every row (nothing written); then, unless it is a dry run or rows were refused
/// without skipInvalid, pass 2 reads the file again and records the valid rows, one transaction per batch of 5,000 that
/// claims the rows' keys, reserves their references (<see cref="SeizureRecording.PrepareManyAsync"/>), writes their
/// streams, events and snapshots by binary COPY (<see cref="SeizureEventCopy"/>) and saves the import's progress. Streams the file twice; holds one batch and a 16-byte digest per row key (duplicates within the file).
/// </summary>
public sealed class SeizureImporter(IDocumentStore store, NpgsqlDataSource data, RowChecks checks, TimeProvider time)
{
    public const int BatchSize = 5000;

    /// <summary>Runs (or resumes) the import; progress is called now and then with the import as it stands.</summary>
    public async Task<SeizureImport> RunAsync(Guid id, Action<SeizureImport>? progress, CancellationToken token)
    {
        await using var loading = store.LightweightSession();
        var import = await loading.LoadAsync<SeizureImport>(id, token) ?? throw new InvalidOperationException($"no import {id}");
        if (import.Finished) return import;
        await using var file = await ImportStorage.OpenFileAsync(store, data, id, token);
        if (file is null) return await FinishAsync(import, ImportStatus.Failed, new ImportRefusal(1, null, null, "the file of this import is gone"), token);

        var mapping = import.MappingJson is null ? ImportMapping.None : ImportMapping.Parse(import.MappingJson).Mapping ?? ImportMapping.None;
        var facts = await TextDetection.ScanAsync(file, token);
        import.Format = facts.Xlsx ? "xlsx" : "csv";

        if (import.Status != ImportStatus.Writing)
        {
            import.Status = ImportStatus.Validating;
            import.RowsRead = import.RowsValid = import.RowsRefused = 0;
            import.Refusals.Clear();
            await SaveAsync(import, token);
            var opened = Open(file, facts, mapping);
            if (opened.Refusal is { } refusal) return await FinishAsync(import, ImportStatus.Failed, refusal, token);
            var seen = new Dictionary<UInt128, int>();
            foreach (var (reading, valid, refusals) in Check(opened.Reader!, mapping, seen))
            {
                import.RowsRead++;
                if (valid is null)
                {
                    import.RowsRefused++;
                    import.Refuse(refusals);
                }
                else import.RowsValid++;
                if (import.RowsRead % 5000 == 0)
                {
                    progress?.Invoke(import);
                    if (import.RowsRead % 50_000 == 0) await SaveAsync(import, token);
                }
            }
            progress?.Invoke(import);
            if (import.DryRun) return await FinishAsync(import, ImportStatus.Checked, null, token);
            if (import.RowsRefused > 0 && !import.SkipInvalid) return await FinishAsync(import, ImportStatus.Refused, null, token);
            import.Status = ImportStatus.Writing;
            await SaveAsync(import, token);
        }
        else import.Resumed++;

        var actor = new Actor(import.User, import.Agency);
        var batch = new List<ValidRow>(BatchSize);
        var again = Open(file, facts, mapping);
        if (again.Reader is null) return await FinishAsync(import, ImportStatus.Failed, again.Refusal, token);
        foreach (var (reading, valid, _) in Check(again.Reader, mapping, new Dictionary<UInt128, int>()))
        {
            if (valid is null || reading.Line <= import.LastCommittedLine) continue;
            batch.Add(valid);
            if (batch.Count == BatchSize)
            {
                await WriteAsync(import, batch, actor, facts.Sha256, token);
                progress?.Invoke(import);
            }
        }
        if (batch.Count > 0) await WriteAsync(import, batch, actor, facts.Sha256, token);
        return await FinishAsync(import, ImportStatus.Completed, null, token);
    }

    private (ImportReader? Reader, ImportRefusal? Refusal) Open(FileStream file, FileFacts facts, ImportMapping mapping)
    {
        file.Position = 0;
        return ImportReader.Open(file, facts, mapping, checks.Plausible);
    }

    /// <summary>Every row's reading and check; a row that repeats an earlier one of the file (same key) is refused.</summary>
    private IEnumerable<(RowReading Reading, ValidRow? Valid, IReadOnlyList<ImportRefusal> Refusals)> Check(ImportReader reader, ImportMapping mapping,
        Dictionary<UInt128, int> seen)
    {
        var now = time.GetUtcNow();
        char? decimalSeparator = mapping.Decimal is { Length: 1 } d ? d[0] : null;
        var commaLocale = !reader.Xlsx && reader.Delimiter != ',';
        foreach (var reading in reader.Rows())
        {
            if (reading.Row is null)
            {
                yield return (reading, null, reading.Refusals);
                continue;
            }
            var (valid, refusals) = checks.Check(reading.Row, mapping, reader.Xlsx ? '.' : decimalSeparator, commaLocale, now);
            if (valid is not null)
            {
                var digest = Digest(valid.Key);
                if (seen.TryGetValue(digest, out var first))
                {
                    var column = valid.Key.StartsWith("ref:") ? ImportColumns.Reference : null;
                    yield return (reading, null, [new ImportRefusal(reading.Line, column, column is null ? null : reading.Row[column],
                        $"repeats line {first} of this file (same {(column is null ? "content" : "reference")})")]);
                    continue;
                }
                seen[digest] = reading.Line;
            }
            yield return (reading, valid, refusals);
        }
    }

    private static UInt128 Digest(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return BitConverter.ToUInt128(hash);
    }

    /// <summary>One batch, one transaction: the keys claimed, the new seizures' streams started, the import's progress saved.</summary>
    private async Task WriteAsync(SeizureImport import, List<ValidRow> batch, Actor actor, string sha256, CancellationToken token)
    {
        await using var session = store.LightweightSession();
        var claimed = await ImportStorage.ClaimKeysAsync(session, import.Agency, batch.Select(r => (r.Key, r.Line)).ToList(), import.Id, token);
        var fresh = batch.Where(r => claimed.Contains(r.Key)).ToList();
        if (fresh.Count > 0)
        {
            // references reserved in this transaction, then the streams, events and snapshots written by COPY in it too
            var now = time.GetUtcNow();
            var recorded = await SeizureRecording.PrepareManyAsync(session,
                fresh.Select(r => (r.Seizure, (ImportedFrom?)new ImportedFrom(import.Id, sha256, r.Line, r.DateOnly))).ToList(), actor, now, token);
            await SeizureEventCopy.WriteAsync(session, recorded, now, token);
        }
        import.RowsImported += fresh.Count;
        import.RowsAlreadyImported += batch.Count - fresh.Count;
        import.LastCommittedLine = batch[^1].Line;
        session.Store(import);
        await session.SaveChangesAsync(token);
        batch.Clear();
    }

    private async Task SaveAsync(SeizureImport import, CancellationToken token)
    {
        await using var session = store.LightweightSession();
        session.Store(import);
        await session.SaveChangesAsync(token);
    }

    private async Task<SeizureImport> FinishAsync(SeizureImport import, ImportStatus status, ImportRefusal? refusal, CancellationToken token)
    {
        if (refusal is not null) import.Refuse([refusal]);
        import.Status = status;
        import.FinishedAt = time.GetUtcNow();
        await SaveAsync(import, token);
        return import;
    }
}
