using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Marten;
using Npgsql;
using SeizureIntel.Identity;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Imports;

/// <summary>
/// Runs an import. Pass 1 reads and checks every row once; unless it is a dry run, each valid row goes by binary COPY
/// into the import's staging table with its event and snapshot already serialised (<see cref="SeizureEventCopy"/>).
/// Then, unless rows were refused without skipInvalid (the staging table is dropped: nothing written), pass 2 moves
/// the staged rows into the store in set-based statements, one transaction per batch of 5,000 that claims the rows'
/// keys, reserves their references and writes their streams, events and snapshots, and saves the import's progress.
/// Streams the file once; holds a 16-byte digest per row key (duplicates within the file). A run resumed in Writing
/// takes up the staging table after the last committed line (or stages the file again when the table is gone).
/// </summary>
public sealed class SeizureImporter(IDocumentStore store, NpgsqlDataSource data, RowChecks checks, TimeProvider time)
{
    public const int BatchSize = 5_000;

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
        var actor = new Actor(import.User, import.Agency);

        if (import.Status != ImportStatus.Writing)
        {
            import.Status = ImportStatus.Validating;
            import.RowsRead = import.RowsValid = import.RowsRefused = 0;
            import.Refusals.Clear();
            await SaveAsync(import, token);
            var opened = Open(file, facts, mapping);
            if (opened.Refusal is { } refusal) return await FinishAsync(import, ImportStatus.Failed, refusal, token);
            await StageAsync(import, opened.Reader!, mapping, actor, facts.Sha256, counting: true, progress, token);
            progress?.Invoke(import);
            if (import.DryRun) return await FinishAsync(import, ImportStatus.Checked, null, token);
            if (import.RowsRefused > 0 && !import.SkipInvalid) return await FinishAsync(import, ImportStatus.Refused, null, token);
            import.Status = ImportStatus.Writing;
            await SaveAsync(import, token);
        }
        else
        {
            import.Resumed++;
            if (await SeizureEventCopy.StagedAsync(store, data, import.Id, token) != import.RowsValid)
            {
                var again = Open(file, facts, mapping);
                if (again.Reader is null) return await FinishAsync(import, ImportStatus.Failed, again.Refusal, token);
                await StageAsync(import, again.Reader, mapping, actor, facts.Sha256, counting: false, null, token);
            }
        }

        while (true)
        {
            await using var session = store.LightweightSession();
            var now = time.GetUtcNow();
            var moved = await SeizureEventCopy.MoveAsync(session, import.Id, import.Agency, import.LastCommittedLine, BatchSize, now, token);
            if (moved.Rows == 0) break;
            import.RowsImported += moved.Fresh;
            import.RowsAlreadyImported += moved.Rows - moved.Fresh;
            import.LastCommittedLine = moved.LastLine;
            session.Store(import);
            await session.SaveChangesAsync(token);
            progress?.Invoke(import);
        }
        return await FinishAsync(import, ImportStatus.Completed, null, token);
    }

    /// <summary>
    /// Pass 1: every row read and checked once, the refusals counted (when counting), the valid rows staged by one COPY
    /// (not in a dry run). A run that must refuse the file stops staging at the first refusal.
    /// </summary>
    private async Task StageAsync(SeizureImport import, ImportReader reader, ImportMapping mapping, Actor actor, string sha256, bool counting,
        Action<SeizureImport>? progress, CancellationToken token)
    {
        await using var connection = await data.OpenConnectionAsync(token);
        var staging = !import.DryRun;
        NpgsqlBinaryImporter? copy = null;
        if (staging)
        {
            await SeizureEventCopy.CreateStagingAsync(store, connection, import.Id, token);
            copy = await SeizureEventCopy.BeginStagingAsync(store, connection, import.Id, token);
        }
        // two threads: this one serialises and stages, the producer reads and checks (in file order, for the duplicates)
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var rows = Channel.CreateBounded<(RowReading Reading, ValidRow? Valid, IReadOnlyList<ImportRefusal> Refusals)>(
            new BoundedChannelOptions(2048) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var row in Check(reader, mapping, new Dictionary<UInt128, int>())) await rows.Writer.WriteAsync(row, stop.Token);
                rows.Writer.Complete();
            }
            catch (Exception e)
            {
                rows.Writer.Complete(e);
            }
        }, stop.Token);
        try
        {
            var serializer = store.Options.Serializer();
            var now = time.GetUtcNow();
            await foreach (var (reading, valid, refusals) in rows.Reader.ReadAllAsync(token))
            {
                if (counting)
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
                // nothing of a file that will be refused is staged further
                if (valid is null && !import.SkipInvalid && copy is not null)
                {
                    await copy.DisposeAsync();
                    copy = null;
                }
                if (valid is not null && copy is not null)
                    await SeizureEventCopy.StageAsync(copy, serializer, valid, actor, new ImportedFrom(import.Id, sha256, valid.Line, valid.DateOnly), now, token);
            }
            if (copy is not null) await copy.CompleteAsync(token);
        }
        finally
        {
            await stop.CancelAsync();
            try { await producer; } catch (OperationCanceledException) { }
            if (copy is not null) await copy.DisposeAsync();
        }
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

    private async Task SaveAsync(SeizureImport import, CancellationToken token)
    {
        await using var session = store.LightweightSession();
        session.Store(import);
        await session.SaveChangesAsync(token);
    }

    private async Task<SeizureImport> FinishAsync(SeizureImport import, ImportStatus status, ImportRefusal? refusal, CancellationToken token)
    {
        await SeizureEventCopy.DropStagingAsync(store, data, import.Id, token);
        if (refusal is not null) import.Refuse([refusal]);
        import.Status = status;
        import.FinishedAt = time.GetUtcNow();
        await SaveAsync(import, token);
        return import;
    }
}
