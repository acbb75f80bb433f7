using System.Text.Json;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Replicas;

/// <summary>
/// A round robin in front of a node's replicas, as a reverse proxy's upstream would be (nginx <c>upstream</c> with
/// <c>proxy_next_upstream error</c>): each request goes to the next replica, under one public address (the Host header,
/// from which the node's token endpoint names its issuer, so a token from one replica is valid on the other). A replica
/// that refuses the connection is skipped (nothing reached it); a request cut off once sent is not retried (it may have
/// committed: the caller sees a failure, never an acknowledgement). <c>pinned</c> sends every request to one replica.
/// </summary>
public sealed class ReplicaFront(IReadOnlyList<NodeProcess> replicas, string host, int? pinned = null)
    : DelegatingHandler(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
{
    private int _next = -1;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.PathAndQuery;
        for (var attempt = 0; ; attempt++)
        {
            var replica = replicas[pinned ?? (int)((uint)Interlocked.Increment(ref _next) % replicas.Count)];
            request.RequestUri = new Uri(replica.Url + path);
            request.Headers.Host = host;
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && pinned is null && attempt + 1 < replicas.Count)
            {
                // Refused: this replica is down; the next one takes the request.
            }
        }
    }

    /// <summary>An HTTP client through the front (or pinned to one replica) carrying a token of the demo client of <paramref name="role"/>.</summary>
    public static Task<HttpClient> ClientAsync(IReadOnlyList<NodeProcess> replicas, string host, JsonElement credentials, string role, int? pinned = null) =>
        NodeProcess.SignInAsync(new HttpClient(new ReplicaFront(replicas, host, pinned)) { BaseAddress = new Uri($"http://{host}"), Timeout = TimeSpan.FromSeconds(60) },
            credentials, role);
}
