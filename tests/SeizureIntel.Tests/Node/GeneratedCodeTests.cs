using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Node;

/// <summary>
/// The handler and endpoint code committed in src/SeizureIntel/Internal/Generated (compiled into Release builds, README
/// "Start-up") is exactly what the node generates today: the built binary's own <c>codegen write</c> into a scratch folder,
/// compared file by file. When it fails, run <c>ops/codegen</c> and commit the result.
/// </summary>
public sealed class GeneratedCodeTests
{
    private static string Committed()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SeizureIntel.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "src", "SeizureIntel", "Internal", "Generated");
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings("\n"));

    [Fact]
    public async Task the_committed_generated_code_is_what_the_node_generates_today()
    {
        var scratch = Path.Combine(Path.GetTempPath(), $"seizureintel-codegen-{Guid.NewGuid():N}");
        try
        {
            var node = new NodeProcess("codegen", new Dictionary<string, string>
            {
                ["SeizureIntel__GeneratedCodeOutput"] = scratch, ["SeizureIntel__LoadDemoData"] = "false",
                ["SeizureIntel__ConnectionString"] = TestDatabase.ConnectionString,
            });
            var output = await node.CommandAsync("codegen", "write");
            var generated = Files(scratch);
            generated.Count.ShouldBeGreaterThan(0, output);
            var committed = Directory.Exists(Committed()) ? Files(Committed()) : [];

            var missing = generated.Keys.Except(committed.Keys).Order().ToList();
            var extra = committed.Keys.Except(generated.Keys).Order().ToList();
            var different = generated.Keys.Intersect(committed.Keys).Where(k => generated[k] != committed[k]).Order().ToList();
            (missing.Count + extra.Count + different.Count).ShouldBe(0,
                $"src/SeizureIntel/Internal/Generated is stale (run ops/codegen and commit): {missing.Count} missing [{string.Join(", ", missing.Take(5))}], " +
                $"{extra.Count} no longer generated [{string.Join(", ", extra.Take(5))}], {different.Count} different [{string.Join(", ", different.Take(5))}]");
            Console.WriteLine($"[figures] generated code: {generated.Count} files, identical to the committed ones");
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }
}
