using JasperFx.CommandLine;
using Marten;
using SeizureIntel.Identity;
using SeizureIntel.Imports.Reading;
using Spectre.Console;

namespace SeizureIntel.Imports;

public sealed class ImportInput : NetCoreInput
{
    [Description("What to import: seizures")]
    public string What { get; set; } = "";

    [Description("The CSV or XLSX file")]
    public string File { get; set; } = "";

    [Description("A mapping file (JSON): column names, value aliases, date formats")]
    [FlagAlias("mapping", 'm')]
    public string MappingFlag { get; set; } = "";

    [Description("Check every row and write nothing")]
    [FlagAlias("dry-run", true)]
    public bool DryRunFlag { get; set; }

    [Description("Write the valid rows and list the others (default: nothing is written unless every row is valid)")]
    [FlagAlias("skip-invalid", true)]
    public bool SkipInvalidFlag { get; set; }

    [Description("Who imports (recorded on every seizure), default import")]
    [FlagAlias("user", true)]
    public string UserFlag { get; set; } = "";

    [Description("Write the refusals to this CSV file (line, column, value, why)")]
    [FlagAlias("refusals", true)]
    public string RefusalsFlag { get; set; } = "";
}

/// <summary>
/// <c>import seizures FILE [--mapping M] [--dry-run] [--skip-invalid]</c>: the same import as POST /api/imports, run in
/// this process with a live progress bar and a summary. Needs no running node; the node's async daemon catches the read
/// models up when it next runs.
/// </summary>
[Description("Import seizures from a CSV or XLSX file, e.g. import seizures history.csv --mapping mapping.json --dry-run", Name = "import")]
public sealed class ImportCommand : JasperFxAsyncCommand<ImportInput>
{
    public ImportCommand()
    {
        Usage("Import seizures").Arguments(x => x.What, x => x.File)
            .ValidFlags(x => x.MappingFlag, x => x.DryRunFlag, x => x.SkipInvalidFlag, x => x.UserFlag, x => x.RefusalsFlag);
    }

    public override async Task<bool> Execute(ImportInput input)
    {
        if (!string.Equals(input.What?.Trim(), "seizures", StringComparison.OrdinalIgnoreCase)) return Fail($"unknown import '{input.What}': the imports are: seizures");
        if (!System.IO.File.Exists(input.File)) return Fail($"no file {input.File}");
        string? mappingJson = null;
        if (!string.IsNullOrWhiteSpace(input.MappingFlag))
        {
            if (!System.IO.File.Exists(input.MappingFlag)) return Fail($"no mapping file {input.MappingFlag}");
            mappingJson = await System.IO.File.ReadAllTextAsync(input.MappingFlag);
            if (ImportMapping.Parse(mappingJson).Error is { } error) return Fail($"--mapping {error}");
        }

        using var host = input.BuildHost();
        var services = host.Services;
        var node = services.GetRequiredService<NodeIdentity>();
        var by = new Actor(string.IsNullOrWhiteSpace(input.UserFlag) ? "import" : input.UserFlag.Trim(), node.Agency);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // the host is built, not started: create the store's tables (imports' files and keys included) as start-up would
        await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var file = System.IO.File.OpenRead(input.File);
        var import = await ImportIntake.CreateAsync(services.GetRequiredService<IDocumentStore>(), file,
            new ImportOptions(input.SkipInvalidFlag, input.DryRunFlag, mappingJson, Path.GetFileName(input.File)), by, now, CancellationToken.None);
        var importer = services.GetRequiredService<SeizureImporter>();

        var started = System.Diagnostics.Stopwatch.StartNew();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var checking = context.AddTask("checking rows", maxValue: 1);
                var writing = context.AddTask("writing", maxValue: 1, autoStart: false);
                import = await importer.RunAsync(import.Id, progress =>
                {
                    if (progress.Status == ImportStatus.Validating)
                    {
                        checking.Description = $"checked {progress.RowsRead:N0} rows ({progress.RowsRefused:N0} refused)";
                        checking.MaxValue = progress.RowsRead + 1;
                        checking.Value = progress.RowsRead;
                    }
                    else
                    {
                        checking.Value = checking.MaxValue;
                        if (!writing.IsStarted) writing.StartTask();
                        writing.MaxValue = Math.Max(1, progress.RowsValid);
                        writing.Value = progress.RowsImported + progress.RowsAlreadyImported;
                        writing.Description = $"wrote {progress.RowsImported:N0} of {progress.RowsValid:N0}";
                    }
                }, CancellationToken.None);
                checking.Value = checking.MaxValue;
                if (writing.IsStarted) writing.Value = writing.MaxValue;
            });

        var table = new Table().AddColumn("import").AddColumn(new TableColumn("").RightAligned());
        table.AddRow("id", import.Id.ToString());
        table.AddRow("file", Markup.Escape($"{import.FileName} ({import.Format}, sha256 {import.FileSha256[..12]}…)"));
        table.AddRow("status", import.Status.ToString().ToLowerInvariant());
        table.AddRow("rows read", $"{import.RowsRead:N0}");
        table.AddRow("valid", $"{import.RowsValid:N0}");
        table.AddRow("imported", $"{import.RowsImported:N0}");
        table.AddRow("already imported", $"{import.RowsAlreadyImported:N0}");
        table.AddRow("refused", $"{import.RowsRefused:N0}");
        table.AddRow("time", $"{started.Elapsed.TotalSeconds:F1} s");
        AnsiConsole.Write(table);
        foreach (var r in import.Refusals.Take(20))
            AnsiConsole.MarkupLine($"[red]line {r.Line}[/] {Markup.Escape(r.Column ?? "")} {Markup.Escape(r.Value ?? "")}: {Markup.Escape(r.Why)}");
        if (import.Refusals.Count > 20) AnsiConsole.MarkupLine($"… {import.Refusals.Count - 20} more (GET /api/imports/{import.Id}?format=csv)");
        if (!string.IsNullOrWhiteSpace(input.RefusalsFlag))
            await System.IO.File.WriteAllTextAsync(input.RefusalsFlag, GetImportEndpoint.RefusalsCsv(import), new System.Text.UTF8Encoding(true));
        if (import.Status == ImportStatus.Refused)
            AnsiConsole.MarkupLine("[yellow]nothing was written: fix the refused rows, or run again with --skip-invalid[/]");
        return import.Status is ImportStatus.Completed or ImportStatus.Checked;
    }

    private static bool Fail(string message)
    {
        Console.Error.WriteLine($"import: {message}");
        return false;
    }
}
