using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using SeizureIntel.Pipeline;

namespace SeizureIntel.Node;

/// <summary>Rate limit of one client (SeizureIntel:RateLimit): a token bucket per client address.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests a client may send in a burst; 0 turns the limiter off.</summary>
    public int Burst { get; set; } = 2000;

    /// <summary>Requests per second a client's bucket refills with.</summary>
    public int PermitsPerSecond { get; set; } = 500;
}

/// <summary>
/// Limits on every request, before any endpoint runs: bodies larger than <see cref="Bounds.MaxRequestBytes"/> are 413,
/// a client over its rate is 429 (ASP.NET Core's rate limiter), both as problem details. /health is never limited.
/// </summary>
public static class RequestLimits
{
    public static void AddRequestLimits(this WebApplicationBuilder builder, NodeOptions node)
    {
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Bounds.MaxRequestBytes);
        var limit = node.RateLimit;
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                limit.Burst <= 0 || context.Request.Path.StartsWithSegments("/health")
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = limit.Burst,
                        TokensPerPeriod = Math.Max(1, limit.PermitsPerSecond),
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            o.OnRejected = async (rejected, token) =>
            {
                var context = rejected.HttpContext;
                context.Response.Headers.RetryAfter = "1";
                var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = $"This client may send {limit.Burst} requests at once and {limit.PermitsPerSecond} a second after that; " +
                             "retry after a second. Nothing was done.",
                };
                await Results.Problem(problem).ExecuteAsync(context);
            };
        });
    }

    public static void UseRequestLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > Bounds.MaxRequestBytes)
            {
                await Results.Problem(RequestFailures.TooLarge()).ExecuteAsync(context);
                return;
            }
            // A body without a length (chunked) is cut off at the same size by the server (BadHttpRequestException 413).
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = Bounds.MaxRequestBytes;
            await next(context);
        });
        app.UseMiddleware<JsonBodyProblems>();
    }
}
