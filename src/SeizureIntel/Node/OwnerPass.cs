using Npgsql;

namespace SeizureIntel.Node;

/// <summary>
/// The owner login's part of a start (see <see cref="RuntimeGrants"/>): the node is started once on the owner login —
/// every start-up step applies its schema changes, then the runtime login gets its grants — and stopped again, before
/// anything runs on the runtime login. Two ways in:
/// <list type="bullet">
/// <item><c>SeizureIntel schema apply</c> at deployment, with <c>SeizureIntel:ConnectionString</c> the owner's and
/// <c>SeizureIntel:RuntimeLogin</c> the login to grant to; the node itself then runs with only the runtime login and
/// <c>SchemaChecksAtStart=false</c> (what ops/run does: the owner's password never reaches the node's process).</item>
/// <item><c>SeizureIntel:OwnerConnectionString</c> set on a node's start: the same pass first (granting to the login of
/// <c>ConnectionString</c>), then the node runs on <c>ConnectionString</c> with <c>SchemaChecksAtStart=false</c>.</item>
/// </list>
/// </summary>
public static class OwnerPass
{
    /// <summary>An exit code when <c>schema apply</c> was asked; otherwise the arguments to run the node with.</summary>
    public static async Task<(int? Exit, string[] Args)> RunAsync(string[] args)
    {
        var apply = args.Length >= 2 && args[0].Equals("schema", StringComparison.OrdinalIgnoreCase) && args[1].Equals("apply", StringComparison.OrdinalIgnoreCase);
        var config = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables().AddCommandLine(args).Build();
        var section = config.GetSection(NodeOptions.Section);
        if (apply)
        {
            var rest = args[2..];
            await ApplyAsync(rest, section["RuntimeLogin"]);
            Console.WriteLine(string.IsNullOrWhiteSpace(section["RuntimeLogin"])
                ? "schema apply: done (no SeizureIntel:RuntimeLogin: no grants)"
                : $"schema apply: done; {section["RuntimeLogin"]} may read and write the data, not change the schema");
            return (0, args);
        }
        var owner = section["OwnerConnectionString"];
        if (string.IsNullOrWhiteSpace(owner)) return (null, args);
        var runtime = section["ConnectionString"] ?? config.GetConnectionString("SeizureIntel")
            ?? throw new InvalidOperationException("SeizureIntel:OwnerConnectionString needs SeizureIntel:ConnectionString (the runtime login) as well.");
        var runtimeLogin = new NpgsqlConnectionStringBuilder(runtime).Username
            ?? throw new InvalidOperationException("SeizureIntel:ConnectionString names no Username: the runtime login to grant to is unknown.");
        await ApplyAsync([.. args, $"--{NodeOptions.Section}:ConnectionString={owner}"], runtimeLogin);
        return (null, [.. args, $"--{NodeOptions.Section}:SchemaChecksAtStart=false"]);
    }

    /// <summary>Starts the node on <c>ConnectionString</c> (the owner) with schema checks, grants, and stops it.</summary>
    private static async Task ApplyAsync(string[] args, string? runtimeLogin)
    {
        string[] pass =
        [
            .. args,
            $"--{NodeOptions.Section}:SchemaChecksAtStart=true", $"--{NodeOptions.Section}:RunDaemon=false",
            $"--{NodeOptions.Section}:LoadDemoData=false", $"--{NodeOptions.Section}:Port=0", "--urls=http://127.0.0.1:0",
            $"--{NodeOptions.Section}:RuntimeLogin={runtimeLogin ?? ""}",
        ];
        await using var app = NodeApp.Build(pass);
        await app.StartAsync();
        await app.StopAsync();
    }
}
