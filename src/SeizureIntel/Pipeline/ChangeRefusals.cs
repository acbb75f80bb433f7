using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace SeizureIntel.Pipeline;

/// <summary>
/// A change that passed the pipeline's If-Match check but lost a race at commit: another change to the same stream was
/// committed in between, so Marten refused the append on the stream version. Nothing of the request was written (the
/// whole transaction rolled back, outbox included); the answer is 412 as if the check had seen it.
/// </summary>
public sealed class ChangeRefusals : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken token)
    {
        if (exception is not (ConcurrencyException or StreamLockedException) || context.Response.HasStarted) return false;
        var resource = context.Request.Path.StartsWithSegments("/api/operations") ? VersionedResource.JointOperation : VersionedResource.Seizure;
        var (expected, _) = Versions.Expected(context, resource);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed,
            Title = $"The {resource.Name} has changed since you read it",
            Detail = $"Another change to it was saved while this one was checked{(expected is { } v ? $" (If-Match named version {v})" : "")}; " +
                     "read it again. Nothing was written.",
        };
        await Results.Problem(problem).ExecuteAsync(context);
        return true;
    }
}
