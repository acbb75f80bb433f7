namespace SeizureIntel.Node;

/// <summary>
/// The web application's endpoints (Blazor's component routes and its SignalR hub), built on the thread pool as the
/// node starts (README "Start-up"): ASP.NET Core builds every endpoint when the web host builds its pipeline (the
/// authorization middleware's policy cache), only after every other hosted service has started; begun here, most of it
/// runs on the second core while the host's start waits on the database (Wolverine's node registration and agents, the
/// daemon's lock). Blazor's data source builds its endpoints once and keeps them, under its own lock, so whichever
/// thread comes first does the work and the other takes the result. Nothing here decides whether the node is healthy,
/// and a failure is only logged: the pipeline then builds the same endpoints itself, and fails where it belongs.
/// </summary>
public static class StartupWarmUp
{
    public static Task Begin(WebApplication app)
    {
        var endpoints = ((IEndpointRouteBuilder)app).DataSources
            .Where(s => s.GetType().Name.StartsWith("RazorComponentEndpointDataSource", StringComparison.Ordinal)).ToList();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupWarmUp));
        var web = Task.Run(() =>
        {
            foreach (var source in endpoints) _ = source.Endpoints;
        });
        return web.ContinueWith(t =>
        {
            if (t.Exception is { } e) log.LogDebug(e, "start-up warm-up failed; the start does the same work itself");
        }, TaskScheduler.Default);
    }
}
