using JasperFx.CodeGeneration;
using Wolverine;

namespace SeizureIntel.Node;

/// <summary>
/// Wolverine's handler and HTTP endpoint adapters (the only generated code: Marten 9 generates none). They are written
/// ahead of time into <c>src/SeizureIntel/Internal/Generated</c> by <c>ops/codegen</c> (the node's own
/// <c>codegen write</c>) and compiled into Release builds, so a production node loads them instead of running Roslyn at
/// start-up or on its first request (README "Start-up"). <see cref="TypeLoadMode.Auto"/>: a handler without a
/// pre-generated type (a Debug build compiles none, so tests run freshly generated code) is generated at run time as before;
/// <c>GeneratedCodeTests</c> fails when the committed code differs from what the code generates today.
/// </summary>
public static class GeneratedCode
{
    /// <summary>Where the generated code lives in the project (and in Wolverine's namespace, Internal.Generated).</summary>
    public const string Folder = "Internal/Generated";

    public static void Configure(WolverineOptions opts, NodeOptions node)
    {
        // Roslyn stays available for what has no pre-generated type, and for `codegen write` itself.
        opts.UseRuntimeCompilation();
        opts.CodeGeneration.TypeLoadMode = node.PregeneratedCode ? TypeLoadMode.Auto : TypeLoadMode.Dynamic;
        // Never write source files into the binary's folder at run time.
        opts.CodeGeneration.SourceCodeWritingEnabled = false;
        // `codegen write` writes here (ops/codegen points it at the project's Internal/Generated).
        if (!string.IsNullOrWhiteSpace(node.GeneratedCodeOutput)) opts.CodeGeneration.GeneratedCodeOutputPath = node.GeneratedCodeOutput;
    }
}
