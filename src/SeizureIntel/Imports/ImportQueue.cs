using System.Threading.Channels;
using Marten;

namespace SeizureIntel.Imports;

/// <summary>
/// Runs the node's imports one at a time in the background. At start-up it takes up every import left Queued,
/// Validating or Writing by a stopped or crashed node: validation starts again (nothing was written), writing resumes
/// after the last committed batch (its keys make any overlap a no-op).
/// After an import that wrote rows, each <see cref="IAfterImport"/> runs (e.g. the read models caught up) before the next import.
/// </summary>
public sealed class ImportQueue(IDocumentStore store, SeizureImporter importer, IEnumerable<IAfterImport> followUps, ILogger<ImportQueue> logger)
    : BackgroundService
{
    private readonly Channel<Guid> _queue = Channel.CreateUnbounded<Guid>();

    public void Enqueue(Guid id) => _queue.Writer.TryWrite(id);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using (var session = store.QuerySession())
            {
                var unfinished = await session.Query<SeizureImport>()
                    .Where(i => i.Status == ImportStatus.Queued || i.Status == ImportStatus.Validating || i.Status == ImportStatus.Writing)
                    .OrderBy(i => i.CreatedAt).Select(i => i.Id).ToListAsync(stoppingToken);
                foreach (var id in unfinished) Enqueue(id);
            }
            await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var import = await importer.RunAsync(id, null, stoppingToken);
                    logger.LogInformation("Import {Id}: {Status}, {Imported} imported, {Already} already imported, {Refused} refused",
                        id, import.Status, import.RowsImported, import.RowsAlreadyImported, import.RowsRefused);
                    if (import.Status == ImportStatus.Completed && import.RowsImported > 0)
                        foreach (var followUp in followUps)
                            try { await followUp.AfterAsync(import, stoppingToken); }
                            catch (Exception e) when (e is not OperationCanceledException)
                            {
                                logger.LogError(e, "After import {Id}: {FollowUp} failed; the async daemon catches the read models up", id, followUp.GetType().Name);
                            }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Import {Id} stopped; it resumes at the next start", id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
