using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;

namespace SeizureIntel.Identity;

/// <summary>
/// Every endpoint that takes an <see cref="Actor"/> gets it resolved once, before its own steps, by
/// <see cref="Actors.From"/>: the one place that says who is acting.
/// </summary>
public sealed class ActorPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.Method.Method.GetParameters().Any(p => p.ParameterType == typeof(Actor))))
            chain.Middleware.Insert(0, new MethodCall(typeof(Actors), nameof(Actors.From)));
    }
}
