using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using SeizureIntel.Facilities;
using SeizureIntel.Geography;
using SeizureIntel.Intelligence.Ledger;
using SeizureIntel.Intelligence.Spatial;
using SeizureIntel.Intelligence.Trends;
using SeizureIntel.Pipeline;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.References;
using SeizureIntel.Sharing;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace SeizureIntel.Node;

/// <summary>How a node wires its store, messaging and HTTP surface. Program.cs calls these in order.</summary>
public static class NodeSetup
{
    public static NodeOptions AddNode(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
        options.ConnectionString ??= builder.Configuration.GetConnectionString("SeizureIntel")
            ?? throw new InvalidOperationException("Set SeizureIntel:ConnectionString (or ConnectionStrings:SeizureIntel).");
        if (options.Port > 0) builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");

        Bounds.ConfigureEarliestYear(options.EarliestYear);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Identity());
        builder.Services.AddSingleton(TimeProvider.System);
        // The facility catalogue and the oblasts' boundaries (GeoJSON) are parsed on the thread pool while the node is
        // wired; the first service that needs them waits for them, and a broken embedded file still stops the start.
        var facilities = Task.Run(FacilityCatalog.LoadEmbedded);
        var oblasts = Task.Run(Oblasts.LoadEmbedded);
        builder.Services.AddSingleton(_ => facilities.GetAwaiter().GetResult());
        var reference = ReferenceData.LoadEmbedded();
        builder.Services.AddSingleton(reference);
        // Chosen and checked here, so that a bad table or an unknown version stops the node before it serves a figure.
        var tables = LoadConversionTables(builder, options, reference);
        builder.Services.AddSingleton(tables);
        builder.Services.AddSingleton(new QuantityConverter(reference, tables.Select(options.ConversionTableVersion)));
        builder.Services.AddSingleton<SeizureFields>();
        builder.Services.AddSingleton(sp => new SeizureIntel.Intelligence.Spatial.HotspotIndex(sp.GetRequiredService<NpgsqlDataSource>(), options.Schema, options.SchemaChecksAtStart));
        builder.Services.AddSingleton(_ => oblasts.GetAwaiter().GetResult());

        // One data source for Marten, Wolverine and our own SQL, with PostGIS geometry mapped to NetTopologySuite.
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(options.ConnectionString).UseNetTopologySuite().Build());
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddCheck<LedgerHealthCheck>("ledger");
        return options;
    }

    /// <summary>The published tables embedded in the binary, or the file SeizureIntel:ConversionTablesFile names.</summary>
    private static ConversionTables LoadConversionTables(WebApplicationBuilder builder, NodeOptions options, ReferenceData reference) =>
        string.IsNullOrWhiteSpace(options.ConversionTablesFile)
            ? ConversionTables.LoadEmbedded(reference)
            : ConversionTables.LoadFile(Path.Combine(builder.Environment.ContentRootPath, options.ConversionTablesFile), reference);

    public static void AddEventStore(this WebApplicationBuilder builder, NodeOptions node)
    {
        var marten = builder.Services.AddMarten(services =>
            {
                var opts = new StoreOptions();
                // The PostGIS seizure-locations table, kept by the SeizureLedger projection (Intelligence/Spatial).
                var locations = SeizureLocations.Table(node.Schema);
                opts.Connection(services.GetRequiredService<NpgsqlDataSource>());
                opts.DatabaseSchemaName = node.Schema;
                opts.Events.DatabaseSchemaName = node.Schema;
                // NetTopologySuite geometries (seizure locations) are stored as GeoJSON, read back with SRID 4326.
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, o => o.Converters.Add(GeoJson.Converter()));
                // Schema checks at start-up (the default) diff every table, function and index against the database;
                // a production node whose schema `db-apply` has brought up to date at deployment can skip them.
                opts.AutoCreateSchemaObjects = node.SchemaChecksAtStart ? AutoCreate.CreateOrUpdate : AutoCreate.None;

                // One stream per seizure; its state is an inline snapshot, so reads after a write see it at once.
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Projections.Snapshot<Seizure>(SnapshotLifecycle.Inline);
                // Wake the daemon by LISTEN/NOTIFY when events are appended, instead of waiting for its next poll.
                opts.Events.UseListenNotifyForEventAppends = true;
                // Replicas: a standing-by one takes over a projection shard soon after the one running it dies (ReplicaSetup).
                ReplicaSetup.ConfigureDaemonTakeover(opts);
                // A stale append waits for the winner and fails on the version before taking a sequence number, so a
                // lost race leaves no gap in the event sequence for the daemon to wait on.
                opts.Events.UseExclusiveLockOnConcurrentAppends = true;
                // OpenTelemetry (Telemetry/): connection spans, and a counter of appended events by type.
                opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                opts.OpenTelemetry.TrackEventCounters();

                // Facility, year and facility-year totals: kept by the async daemon.
                opts.Projections.Add(
                    new SeizureLedgerProjection(services.GetRequiredService<ReferenceData>(), services.GetRequiredService<QuantityConverter>(),
                        services.GetRequiredService<FacilityCatalog>()),
                    ProjectionLifecycle.Async, SeizureLedgerProjection.Name,
                    asyncOptions =>
                    {
                        foreach (var type in SeizureLedgerProjection.Documents) asyncOptions.DeleteViewTypeOnTeardown(type);
                        asyncOptions.DeleteDataInTableOnTeardown(locations.Identifier.QualifiedName);
                    });
                // Its read models' tables (indexed columns for trends), shared with a rebuild's (Intelligence/Ledger/LedgerRebuild.cs).
                SeizureLedgerProjection.ConfigureStorage(opts);
                opts.Storage.ExtendedSchemaObjects.Add(ReferenceAllocator.CounterTable(node.Schema));
                opts.Storage.ExtendedSchemaObjects.Add(locations);
                // Imports: the uploaded files (to resume after a crash) and the keys of imported rows (nothing twice).
                opts.Storage.ExtendedSchemaObjects.Add(Imports.ImportStorage.Files(node.Schema));
                opts.Storage.ExtendedSchemaObjects.Add(Imports.ImportStorage.Keys(node.Schema));
                // Documents stored or read outside a projection: registered, so that applying the schema (the owner login,
                // `schema apply`) makes their tables too, and a runtime login never needs to create one on first use.
                foreach (var type in AdHocDocuments) opts.RegisterDocumentType(type);
                return opts;
            })
            .UseLightweightSessions();
        if (node.SchemaChecksAtStart) marten.ApplyAllDatabaseChangesOnStartup();
        marten
            .AddAsyncDaemon(node.RunDaemon ? DaemonMode.HotCold : DaemonMode.Disabled)
            .IntegrateWithWolverine(w =>
            {
                // Envelope tables beside the node's own store; PostgreSQL queue tables in the schema the nodes share.
                w.MessageStorageSchemaName = node.Schema;
                w.TransportSchemaName = node.Sharing.QueueSchema;
            });
    }

    /// <summary>Every document type the code stores or loads by itself (not only through a projection).</summary>
    public static readonly Type[] AdHocDocuments =
    [
        typeof(Demo.DemoDataLoad), typeof(Seizures.Recording.IdempotentPost), typeof(Intelligence.National.NationalCountrySeries),
        typeof(Intelligence.National.NationalEdition), typeof(ParkedEvent), typeof(Imports.SeizureImport),
        typeof(Sharing.Publishing.ShareLedgerEntry), typeof(Linking.SeizureOperationLink), typeof(Intelligence.Interventions.Intervention),
        typeof(Intelligence.Effort.EffortRecord), typeof(SeizureFact),
    ];

    public static void AddMessaging(this WebApplicationBuilder builder, NodeOptions node)
    {
        builder.AddSharing(node.Sharing, node.Identity());
        builder.Host.UseWolverine(opts =>
        {
            // Scan this assembly for handlers and endpoints even when a test project is the entry assembly.
            opts.ApplicationAssembly = typeof(NodeSetup).Assembly;
            // Handler code generated ahead of time (Release builds) or at run time (Node/GeneratedCode.cs).
            GeneratedCode.Configure(opts, node);
            if (!node.SchemaChecksAtStart) opts.AutoBuildMessageStorageOnStartup = AutoCreate.None;
            opts.Policies.AutoApplyTransactions();
            opts.Policies.UseDurableLocalQueues();
            // Replicas: one leader assigns the durable agents; a dead replica's messages move to the living (ReplicaSetup).
            ReplicaSetup.ConfigureDurableAgents(opts);
            // Messages between nodes are JSON with the same names as the schemas in schemas/sharing.
            opts.UseSystemTextJsonForSerialization(ConfigureJson);
            opts.ConfigureSharing(node.Sharing, node.Identity());
        });
        builder.Services.AddWolverineHttp();
        // A change that loses a race at commit is answered 412 (see Pipeline/Change.cs).
        builder.Services.AddExceptionHandler<ChangeRefusals>();
        // Anything else: 400 for an unreadable body, 413 for a too large one, else 500 problem details with a logged correlation id.
        builder.Services.AddExceptionHandler<RequestFailures>();
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            ConfigureJson(o.SerializerOptions);
            // Personal fields masked for roles that do not need them, in every API answer (Privacy/PersonalData.cs).
            Privacy.PersonalData.Apply(o.SerializerOptions);
        });
        builder.Services.AddHttpContextAccessor();
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        // NetTopologySuite geometries and features are written as GeoJSON (longitude first), not as their CLR properties.
        options.Converters.Add(GeoJson.Converter());
    }
}
