using SeizureIntel.Pipeline;
using Wolverine.Http;

namespace SeizureIntel.Seizures.Quantities;

/// <summary>Every published conversion table version, and which one this node derives its masses with.</summary>
public sealed record ConversionTablesView(string Active, IReadOnlyList<ConversionTableView> Versions);

/// <summary>One published version: its factors each carry their source, so an estimated mass can be traced to it.</summary>
public sealed record ConversionTableView(string Version, DateOnly Published, bool Active, string Notes, IReadOnlyList<ConversionFactor> Factors);

public static class GetConversionTablesEndpoint
{
    /// <summary>The conversion tables behind estimated masses (volumes and counts), oldest first, with the active version.</summary>
    [WolverineGet("/api/reference/conversion-tables", OperationId = "getConversionTables")]
    public static ConversionTablesView Get(ConversionTables tables, QuantityConverter converter) =>
        new(converter.Table.Version, tables.Versions
            .Select(t => new ConversionTableView(t.Version, t.Published, t.Version == converter.Table.Version, t.Notes, t.Factors))
            .ToList());
}
