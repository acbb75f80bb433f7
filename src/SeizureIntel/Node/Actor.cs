namespace SeizureIntel.Node;

/// <summary>
/// Who is acting: a user name and the agency of this node. Until real authentication arrives the user comes from the
/// <c>X-User</c> header (pseudonymous ids are expected, never a person's full name).
/// </summary>
public sealed record Actor(string User, string Agency)
{
    public const string UserHeader = "X-User";
    public const string Anonymous = "anonymous";

    public static Actor From(HttpContext context, NodeIdentity node)
    {
        var user = context.Request.Headers[UserHeader].ToString().Trim();
        return new Actor(user.Length is > 0 and <= 100 ? user : Anonymous, node.Agency);
    }
}
