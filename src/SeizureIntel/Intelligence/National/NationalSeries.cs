using SeizureIntel.Imports.Reading;

namespace SeizureIntel.Intelligence.National;

/// <summary>
/// One country-year-drug figure of an edition: the rows of the file that repeat it summed (Rows, Lines), and every
/// comment those rows carry (financial years, partial years, customs only …) kept with the figure.
/// </summary>
public sealed record NationalFigure(
    int Year, string Group, string UnodcGroup, string Drug, decimal Kg, int Rows, IReadOnlyList<int> Lines, IReadOnlyList<string> Comments,
    IReadOnlyList<string> SpecificDrugNames);

/// <summary>
/// An imported edition of UNODC's country-year drug seizure table, with its provenance: the file (name, SHA-256,
/// bytes, how it was read), who imported it, when, and what was counted and refused. Editions are never changed:
/// a newer edition is imported beside the older ones, and the series is read from the newest unless ?edition= names one.
/// </summary>
public sealed class NationalEdition
{
    public const string UnodcSource = "unodc";
    public const string UnodcCitation = "UNODC, drug seizures by country and year (data portal export)";

    public string Id { get; set; } = "";
    public string Source { get; set; } = UnodcSource;
    public string Edition { get; set; } = "";
    public string? FileName { get; set; }
    public string FileSha256 { get; set; } = "";
    public long FileBytes { get; set; }
    public string Format { get; set; } = "";
    public string? Delimiter { get; set; }
    public string? Encoding { get; set; }
    public string ImportedBy { get; set; } = "";
    public string Agency { get; set; } = "";
    public DateTimeOffset ImportedAt { get; set; }
    public int RowsRead { get; set; }
    public int RowsImported { get; set; }
    public int RowsRefused { get; set; }
    public int Figures { get; set; }
    public List<string> Countries { get; set; } = [];
    public int? FirstYear { get; set; }
    public int? LastYear { get; set; }
    public List<ImportRefusal> Refusals { get; set; } = [];

    public static string IdOf(string source, string edition) => $"{source}:{edition}";
}

/// <summary>One country's figures of one edition (a document per country keeps a query to one small load).</summary>
public sealed class NationalCountrySeries
{
    public string Id { get; set; } = "";
    public string Source { get; set; } = NationalEdition.UnodcSource;
    public string Edition { get; set; } = "";
    public string Country { get; set; } = "";
    public string CountryName { get; set; } = "";
    public List<NationalFigure> Figures { get; set; } = [];

    public static string IdOf(string source, string edition, string country) => $"{source}:{edition}:{country}";
}
