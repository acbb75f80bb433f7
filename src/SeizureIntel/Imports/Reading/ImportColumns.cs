namespace SeizureIntel.Imports.Reading;

/// <summary>
/// The template's columns (GET /api/imports/template), in their order, with the English and Russian headers a file
/// may use for each. A header matches ignoring case, spaces, underscores, hyphens and ё/е.
/// </summary>
public static class ImportColumns
{
    public const string Reference = "reference";
    public const string Facility = "facility";
    public const string OccurredAt = "occurred_at";
    public const string Substance = "substance";
    public const string Quantity = "quantity";
    public const string Unit = "unit";
    public const string Detection = "detection";
    public const string Place = "place";
    public const string Entry = "entry";
    public const string Concealment = "concealment";
    public const string Possession = "possession";
    public const string Lat = "lat";
    public const string Lon = "lon";
    public const string Notes = "notes";

    /// <summary>Column, Russian header of the template, other accepted headers, what goes in it.</summary>
    public static readonly IReadOnlyList<(string Name, string Ru, string[] Others, string Help)> All =
    [
        (Reference, "номер", ["ref", "id", "ссылка", "референс", "номер записи"], "optional: the agency's own id of the row; a row with an id already imported is not imported twice"),
        (Facility, "учреждение", ["facility_id", "facility code", "объект", "код учреждения"], "facility code or alias (see /api/facilities); may be empty when lat/lon are given"),
        (OccurredAt, "дата", ["occurred", "date", "datetime", "дата и время", "дата изъятия", "когда"], "2015-03-14T10:30:00+06:00, or a local 14.03.2015 10:30 / 2015-03-14 10:30, or a date alone (read in the facility's time zone)"),
        (Substance, "вещество", ["drug", "наркотик", "наименование"], "substance code or English/Russian name (see /api/reference/substances)"),
        (Quantity, "количество", ["amount", "value", "вес", "кол-во"], "a positive number; decimal point or comma, thousands separated by spaces"),
        (Unit, "единица", ["units", "ед", "ед. изм.", "единица измерения", "ед изм"], "g, kg, ml, tablet … or their Russian names (г, кг, мл, табл) (see /api/reference/units)"),
        (Detection, "способ обнаружения", ["detection method", "обнаружение", "как обнаружено"], "see /api/reference/detection-methods"),
        (Place, "место", ["место изъятия"], "optional, see /api/reference/places"),
        (Entry, "способ проникновения", ["entry method", "проникновение"], "optional, see /api/reference/entry-methods"),
        (Concealment, "способ сокрытия", ["concealment method", "сокрытие"], "optional, see /api/reference/concealment-methods"),
        (Possession, "владение", ["possession", "у кого"], "optional, see /api/reference/possession"),
        (Lat, "широта", ["latitude"], "optional, WGS 84 latitude of the seizure"),
        (Lon, "долгота", ["longitude", "lng"], "optional, WGS 84 longitude of the seizure"),
        (Notes, "примечания", ["note", "comment", "comments", "примечание", "комментарий"], "optional free text; no personal names"),
    ];

    public static readonly IReadOnlyList<string> Names = All.Select(c => c.Name).ToList();

    /// <summary>Columns read as numbers: where a decimal comma may split a field in a comma-separated file.</summary>
    public static bool IsNumeric(string column) => column is Quantity or Lat or Lon;

    /// <summary>Free-text columns: where an unquoted comma may split a field in a comma-separated file.</summary>
    public static bool IsFreeText(string column) => column is Notes;

    /// <summary>What a column may take when a comma line's fields are placed (see <see cref="CommaPlacement"/>).</summary>
    public static CellShape Shape(string? column) =>
        column is null ? CellShape.Any : IsNumeric(column) ? CellShape.Number : IsFreeText(column) ? CellShape.Text : CellShape.Any;

    private static readonly Dictionary<string, string> ByHeader = All
        .SelectMany(c => new[] { c.Name, c.Ru }.Concat(c.Others).Select(h => (Header: Normalise(h), c.Name)))
        .DistinctBy(x => x.Header)
        .ToDictionary(x => x.Header, x => x.Name);

    /// <summary>The column a header names (English or Russian, any case), or null.</summary>
    public static string? Match(string? header) =>
        header is not null && ByHeader.TryGetValue(Normalise(header), out var name) ? name : null;

    public static string Normalise(string text) =>
        new string(text.Trim().ToLowerInvariant().Replace('ё', 'е').Where(ch => !char.IsWhiteSpace(ch) && ch is not ('_' or '-' or '.')).ToArray());
}
