namespace SeizureIntel.Identity;

/// <summary>
/// Who is acting: a user name and the agency of this node; every event a person causes records it. Resolved once per
/// request by the change pipeline (<see cref="Actors"/>); until sign-in arrives the user comes from the <c>X-User</c>
/// header (pseudonymous ids are expected, never a person's full name).
/// </summary>
public sealed record Actor(string User, string Agency)
{
    public const string UserHeader = "X-User";
    public const string Anonymous = "anonymous";
}

/// <summary>Resolves the acting user of a request: the one place the pipeline asks who is acting.</summary>
public static class Actors
{
    public static Actor From(HttpContext context, NodeIdentity node)
    {
        var user = context.Request.Headers[Actor.UserHeader].ToString().Trim();
        return new Actor(user.Length is > 0 and <= 100 ? user : Actor.Anonymous, node.Agency);
    }
}
