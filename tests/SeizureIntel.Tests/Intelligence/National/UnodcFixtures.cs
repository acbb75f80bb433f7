using System.Globalization;
using System.Text;

namespace SeizureIntel.Tests.Intelligence.National;

/// <summary>
/// TEST FIXTURES, NOT DATA: rows shaped like UNODC's country-year drug seizure export (the data portal's columns, its
/// region names, drug groups and kinds of comments), with figures invented for these tests. They are never shipped
/// with the product and stand for no country's real seizures.
/// </summary>
public static class UnodcFixtures
{
    public sealed record FixtureRow(string Country, string Code, int Year, string Group, string Drug, string? Specific, decimal Kg, string? Comment,
        string Region = "Asia", string SubRegion = "Central Asia and Transcaucasia");

    public const string Header = "Region;SubRegion;Country;CountryCode;Year;DrugGroup;Drug;SpecificDrugName;KgEquivalent;Comment";

    /// <summary>Two countries, 2012–2016; KGZ 2014 cannabis herb appears twice (two reporting agencies), with caveats.</summary>
    public static readonly FixtureRow[] Rows =
    [
        new("Kyrgyzstan", "KGZ", 2012, "Cannabis-type", "Cannabis herb", "Marijuana", 1523.125m, null),
        new("Kyrgyzstan", "KGZ", 2012, "Opioids", "Heroin", null, 87.5m, null),
        new("Kyrgyzstan", "KGZ", 2013, "Cannabis-type", "Cannabis resin", "Hashish", 912.04m, "Partial year: January to September"),
        new("Kyrgyzstan", "KGZ", 2014, "Cannabis-type", "Cannabis herb", "Marijuana", 2100.5m, null),
        new("Kyrgyzstan", "KGZ", 2014, "Cannabis-type", "Cannabis herb", "Marijuana", 310.25m, "Customs only"),
        new("Kyrgyzstan", "KGZ", 2014, "Opioids", "Heroin", null, 121.75m, null),
        new("Kyrgyzstan", "KGZ", 2014, "Opioids", "Opium", null, 245m, null),
        new("Kyrgyzstan", "KGZ", 2015, "Amphetamine-type stimulants", "Methamphetamine", null, 0.812m, null),
        new("Kyrgyzstan", "KGZ", 2016, "Cannabis-type", "Cannabis herb", null, 1800m, "Financial year"),
        new("Kazakhstan", "KAZ", 2014, "Cannabis-type", "Cannabis herb", null, 25000.5m, null),
        new("Kazakhstan", "KAZ", 2015, "Opioids", "Heroin", null, 420.3m, null),
    ];

    /// <summary>The clean export: ";" separated, decimal commas, a thousands space in large figures, UTF-8 with a BOM.</summary>
    public static byte[] Clean(IEnumerable<FixtureRow>? rows = null, Func<FixtureRow, decimal>? kg = null)
    {
        var text = new StringBuilder(Header).Append("\r\n");
        foreach (var r in rows ?? Rows)
            text.Append(string.Join(';', r.Region, r.SubRegion, r.Country, r.Code, r.Year.ToString(CultureInfo.InvariantCulture), r.Group, r.Drug,
                r.Specific ?? "", Comma(kg?.Invoke(r) ?? r.Kg, thousands: true), Quote(r.Comment, ';'))).Append("\r\n");
        return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    /// <summary>
    /// A damaged copy: comma-separated but saved in a decimal-comma locale (KgEquivalent "2100,5" unquoted), Windows-1251,
    /// one comment quoted with doubled quotes, one with an unquoted comma, empty trailing columns.
    /// </summary>
    public static byte[] Damaged(IEnumerable<FixtureRow>? rows = null)
    {
        var text = new StringBuilder(Header.Replace(';', ',')).Append(",,\n");
        foreach (var r in rows ?? Rows)
            text.Append(string.Join(',', r.Region, r.SubRegion, r.Country, r.Code, r.Year.ToString(CultureInfo.InvariantCulture), r.Group, r.Drug,
                r.Specific ?? "", Comma(r.Kg, thousands: false),
                r.Comment is not null && r.Comment.Contains('"') ? Quote(r.Comment, ',') : r.Comment ?? "")).Append(",,\n");
        return Encoding.GetEncoding(1251).GetBytes(text.ToString());
    }

    public static string Comma(decimal value, bool thousands) =>
        value.ToString(thousands ? "#,0.######" : "0.######", new NumberFormatInfo { NumberDecimalSeparator = ",", NumberGroupSeparator = " " });

    private static string Quote(string? text, char delimiter) =>
        text is null ? "" : text.IndexOfAny([delimiter, '"', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;

    /// <summary>The fixture's node group of a UNODC group, written out here (independently of the product's table).</summary>
    public static string NodeGroup(string unodcGroup) => unodcGroup switch
    {
        "Cannabis-type" => "cannabis",
        "Opioids" => "opioids",
        "Amphetamine-type stimulants" => "ats",
        _ => throw new ArgumentException(unodcGroup),
    };
}
