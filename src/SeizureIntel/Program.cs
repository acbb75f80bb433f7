using JasperFx;
using SeizureIntel.Node;

// The node: its store, messaging and sharing, reports, demo data and HTTP surface (see Node/NodeApp.cs). Settings come
// from appsettings.json beside the binary, then the environment, then the command line.
// On the owner login first when asked (`schema apply`, or SeizureIntel:OwnerConnectionString): Node/OwnerPass.cs.
var (exit, runArgs) = await OwnerPass.RunAsync(args);
if (exit is { } code) return code;
var app = NodeApp.Build(runArgs);

// Also the command line: db-apply, projections rebuild, describe, codegen, bench-sharing, ...; `projections verify` is
// ours, and `projections rebuild` first takes the store's daemon lock (refused while a node's daemon runs on it).
// The command is the caller's: the settings an owner pass added (runArgs) are in the built node already, and are no
// command-line flags of JasperFx's (a node started with OwnerConnectionString and no command simply runs).
return await SeizureIntel.Node.ProjectionsCommandLine.RunAsync(app, args);

/// <summary>Entry point; public so that tests can boot the real host.</summary>
public partial class Program;
