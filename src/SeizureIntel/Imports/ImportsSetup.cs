namespace SeizureIntel.Imports;

public static class ImportsSetup
{
    public static void AddImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RowChecks>();
        builder.Services.AddSingleton<SeizureImporter>();
        builder.Services.AddSingleton<ImportQueue>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ImportQueue>());
    }
}
