using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using JasperFx.CodeGeneration.Model;
using JasperFx.Events;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Configuration;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Pipeline;

/// <summary>The answer to a change: the stream's new version (also sent as the ETag).</summary>
public sealed record Changed(Guid Id, long Version) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        context.Response.Headers.ETag = Versions.ETag(Version);
        return Results.Ok(this).ExecuteAsync(context);
    }
}

/// <summary>
/// The change pipeline for an existing stream (a seizure, a joint operation), written once for every use case:
/// <list type="number">
/// <item>Wolverine loads the aggregate for writing (<see cref="ChangeAttribute"/>: Marten's FetchForWriting; exclusive for
/// streams that several writers touch at once);</item>
/// <item><see cref="Check{T}"/>: If-Match names the version (428 missing, 400 malformed), the stream exists (404), the
/// record is this node's own (409), and the version is the current one (412);</item>
/// <item>the use case's <c>Validate</c> steps and its pure <c>Decide</c> (events or a refusal);</item>
/// <item><see cref="Answer"/>: the refusal, or the events for Wolverine to append and the new version; Wolverine's
/// transactional middleware commits them with everything else the request queued (the outbox included). A change that
/// races another after the check fails on the stream version at commit and is answered 412 too
/// (<see cref="ChangeRefusals"/>).</item>
/// </list>
/// Later concerns (who may change what, audit) plug in here, once.
/// </summary>
public static class Change
{
    public static ProblemDetails Check<T>(HttpContext context, IEventStream<T> stream) where T : class, IChangeable
    {
        var (expected, problem) = Versions.Expected(context, T.Resource);
        if (problem is not null) return problem;
        if (stream.Aggregate is not { } aggregate) return Unknown(T.Resource, stream.Id);
        // An officer changes only the records of the facilities assigned to them; others' are answered as unknown.
        if (aggregate is Identity.IFacilityScoped scoped && !Identity.Actors.FromPrincipal(context.User, "").MayActAt(scoped.FacilityId))
            return Unknown(T.Resource, stream.Id);
        // A partner's record is refused whatever version the client names: its copy's versions are this node's, not the origin's.
        if (aggregate.RefuseAsCopy() is { } copy) return copy;
        return stream.CurrentVersion == expected ? WolverineContinue.NoProblems : Versions.Stale(T.Resource, expected!.Value, stream.CurrentVersion ?? 0);
    }

    /// <summary>
    /// Runs before the aggregate is loaded: the If-Match problems first (as <see cref="Check{T}"/> orders them), then the
    /// all-zero id, which no stream can have. Marten's FetchForWriting refuses to even look for it (it throws
    /// "Cannot use an empty Guid as the stream id"), which would otherwise end the request in a 500; it is simply unknown.
    /// </summary>
    public static ProblemDetails CheckId<T>(HttpContext context) where T : class, IChangeable
    {
        var (_, problem) = Versions.Expected(context, T.Resource);
        if (problem is not null) return problem;
        return context.Request.RouteValues.TryGetValue("id", out var value) && Guid.TryParse(value?.ToString(), out var id) && id == Guid.Empty
            ? Unknown(T.Resource, id)
            : WolverineContinue.NoProblems;
    }

    /// <summary>The pipeline's answer to a decision: its refusal, or the events to append and the version they lead to.</summary>
    public static (IResult, Events) Answer(this Decision decision, IChangeable before) =>
        decision.Problem is { } problem
            ? (Results.Problem(problem), new Events())
            : (new Changed(before.Id, before.Version + decision.Events.Count), new Events(decision.Events));

    public static ProblemDetails Unknown(VersionedResource resource, Guid id) => new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = $"Unknown {resource.Name}",
        Detail = $"No {resource.Name} has the id {id}.",
    };
}

/// <summary>
/// Marks the aggregate a change endpoint decides on: loaded for writing by Wolverine's aggregate workflow for Marten
/// (the events the endpoint returns are appended to its stream), then checked by <see cref="Change.Check{T}"/> before the
/// use case's own steps run. Documents the answers every change shares in the OpenAPI document.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class ChangeAttribute : Wolverine.Http.Marten.AggregateAttribute
{
    public ChangeAttribute()
    {
        // The pipeline answers an unknown id itself, worded like every other refusal.
        Required = false;
    }

    /// <summary>Lock the stream's row while the change is decided, so concurrent writers queue instead of failing each other.</summary>
    public bool Exclusive
    {
        get => LoadStyle == Wolverine.Marten.ConcurrencyStyle.Exclusive;
        set => LoadStyle = value ? Wolverine.Marten.ConcurrencyStyle.Exclusive : Wolverine.Marten.ConcurrencyStyle.Optimistic;
    }

    public override Variable Modify(IChain chain, ParameterInfo parameter, IServiceContainer container, GenerationRules rules)
    {
        // Before the load frames base.Modify adds: an all-zero id is unknown, not a failure of Marten's fetch.
        var idCheck = typeof(Change).GetMethod(nameof(Change.CheckId))!.MakeGenericMethod(parameter.ParameterType);
        var before = chain.Middleware.Count;
        var aggregate = base.Modify(chain, parameter, container, rules);
        chain.Middleware.Insert(before, new MethodCall(typeof(Change), idCheck));
        var check = typeof(Change).GetMethod(nameof(Change.Check))!.MakeGenericMethod(parameter.ParameterType);
        chain.Middleware.Add(new MethodCall(typeof(Change), check));
        if (chain is HttpChain http)
            http.Metadata.WithMetadata(
                new ProducesResponseTypeAttribute(typeof(Changed), StatusCodes.Status200OK, "application/json"),
                new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status404NotFound, "application/problem+json"),
                new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status409Conflict, "application/problem+json"),
                new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status412PreconditionFailed, "application/problem+json"),
                new ProducesResponseTypeAttribute(typeof(ProblemDetails), StatusCodes.Status428PreconditionRequired, "application/problem+json"));
        return aggregate;
    }
}
