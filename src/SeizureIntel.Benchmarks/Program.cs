using JasperFx;
using SeizureIntel.Node;

// The benchmark commands (bench-latency, bench-sharing, bench-analytics, bench-spatial, bench-import), on a node built like Program.cs's.
var app = NodeApp.Build(args);
return await app.RunJasperFxCommands(args);
