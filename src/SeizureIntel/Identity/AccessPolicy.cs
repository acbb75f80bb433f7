using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace SeizureIntel.Identity;

/// <summary>
/// Puts the <see cref="AccessMatrix"/> on every Wolverine endpoint under <c>/api</c>: a bearer token is required
/// (anonymous: 401) and one of the operation's roles (otherwise 403). Feature folders name no roles themselves.
/// </summary>
public sealed class AccessPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            var route = chain.RoutePattern?.RawText ?? "";
            if (!route.TrimStart('/').StartsWith("api/", StringComparison.Ordinal)) continue;
            foreach (var method in chain.HttpMethods)
                chain.Metadata.RequireAuthorization(AccessMatrix.PolicyName(AccessMatrix.RolesFor(method, route)));
        }
    }

    /// <summary>One policy per distinct set of roles in the matrix, and the empty set that admits nobody.</summary>
    public static void Define(AuthorizationOptions options)
    {
        foreach (var roles in AccessMatrix.Table.Values.Append([]).DistinctBy(AccessMatrix.PolicyName))
            options.AddPolicy(AccessMatrix.PolicyName(roles), p =>
            {
                p.RequireAuthenticatedUser();
                if (roles.Length == 0) p.RequireAssertion(_ => false);
                else p.RequireClaim(NodeClaims.Role, roles);
            });
    }
}
