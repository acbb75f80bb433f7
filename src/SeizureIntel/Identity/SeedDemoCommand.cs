using System.Security.Cryptography;
using System.Text.Json;
using JasperFx.CommandLine;
using Npgsql;
using SeizureIntel.Facilities;

namespace SeizureIntel.Identity;

public sealed class SeedDemoInput : NetCoreInput
{
    [Description("What to do: seed-demo (one demo user and one API client per role)")]
    public string Action { get; set; } = "";

    [Description("The node's address as people reach it, e.g. http://127.0.0.1:5101")]
    [FlagAlias("base-url", true)]
    public string BaseUrlFlag { get; set; } = "";

    [Description("File to write this node's demo credentials to (JSON; keep it private)")]
    [FlagAlias("out", 'o')]
    public string OutFlag { get; set; } = "";

    [Description("Also put them under the agency's key in this JSON file, beside other nodes' (e.g. .local/demo-credentials.json)")]
    [FlagAlias("merge-into", true)]
    public string MergeIntoFlag { get; set; } = "";
}

/// <summary>
/// <c>identity seed-demo --base-url URL --out FILE</c>: for every role, a demo user (<c>{agency}-{role}</c>, lower case)
/// and an API client (<c>{agency}-{role}-client</c>), with fresh random passwords and secrets each time it runs, written
/// to FILE in the shape of issue 12 (one node's entry of <c>.local/demo-credentials.json</c>). The demo officer is
/// assigned to every facility, so scripts can record anywhere.
/// </summary>
[Description("Identity administration, e.g. identity seed-demo --base-url http://127.0.0.1:5101 --out ssep.json", Name = "identity")]
public sealed class SeedDemoCommand : JasperFxAsyncCommand<SeedDemoInput>
{
    public SeedDemoCommand()
    {
        Usage("Create the demo users and clients").Arguments(x => x.Action).ValidFlags(x => x.BaseUrlFlag, x => x.OutFlag, x => x.MergeIntoFlag);
    }

    public override async Task<bool> Execute(SeedDemoInput input)
    {
        if (!string.Equals(input.Action?.Trim(), "seed-demo", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"unknown action '{input.Action}': the actions are: seed-demo");
            return false;
        }
        if (string.IsNullOrWhiteSpace(input.OutFlag) || string.IsNullOrWhiteSpace(input.BaseUrlFlag))
        {
            Console.Error.WriteLine("--base-url URL and --out FILE are required");
            return false;
        }

        using var host = input.BuildHost();
        var services = host.Services;
        var schema = services.GetRequiredService<IdentitySchema>();
        await using var scope = services.CreateAsyncScope();
        await schema.EnsureCreatedAsync(scope.ServiceProvider.GetRequiredService<NodeIdentityDb>(),
            services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
        var accounts = scope.ServiceProvider.GetRequiredService<Accounts>();
        var agency = services.GetRequiredService<NodeIdentity>().Agency.ToLowerInvariant();
        var everyFacility = services.GetRequiredService<FacilityCatalog>().All.Select(f => f.Code).ToList();

        var users = new Dictionary<string, object>();
        var clients = new Dictionary<string, object>();
        foreach (var role in Roles.All)
        {
            var facilities = role == Roles.Officer ? everyFacility : [];
            var userName = $"{agency}-{role}";
            var password = Secret();
            await accounts.EnsureUserAsync(userName, password, [role], facilities);
            users[role] = new { username = userName, password };
            var clientId = $"{agency}-{role}-client";
            var secret = Secret();
            await accounts.EnsureClientAsync(clientId, secret, [role], facilities);
            clients[role] = new { clientId, clientSecret = secret };
        }

        var baseUrl = input.BaseUrlFlag.TrimEnd('/');
        var entry = new { baseUrl, tokenEndpoint = baseUrl + "/connect/token", users, clients };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var path = await WriteAsync(input.OutFlag, JsonSerializer.Serialize(entry, indented));
        Console.WriteLine($"demo users and clients of {agency.ToUpperInvariant()} written to {path}");
        if (!string.IsNullOrWhiteSpace(input.MergeIntoFlag))
        {
            var all = File.Exists(input.MergeIntoFlag)
                ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await File.ReadAllTextAsync(input.MergeIntoFlag)) ?? []
                : [];
            all[agency.ToUpperInvariant()] = JsonSerializer.SerializeToElement(entry);
            Console.WriteLine($"and merged into {await WriteAsync(input.MergeIntoFlag, JsonSerializer.Serialize(all, indented))}");
        }
        return true;
    }

    /// <summary>Writes a file only its owner can read.</summary>
    private static async Task<string> WriteAsync(string file, string text)
    {
        var path = Path.GetFullPath(file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static string Secret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');
}
