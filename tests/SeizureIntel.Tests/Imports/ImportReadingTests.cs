using System.Text;
using SeizureIntel.Imports.Reading;
using static SeizureIntel.Tests.Imports.ImportFiles;

namespace SeizureIntel.Tests.Imports;

/// <summary>Reading files without a host: encodings, delimiters, quotes, numbers, dates, damaged layouts, XLSX.</summary>
public sealed class ImportReadingTests
{
    private const string Header = "reference,facility,occurred_at,substance,quantity,unit,detection,place,entry,concealment,possession,lat,lon,notes";

    [Fact]
    public void A_clean_template_file_reads_every_column()
    {
        var read = ReadAll(Utf8(Header + "\nR-1,SIZO-1,2015-03-14T10:30:00+06:00,heroin,12.5,g,visitor-search,,,,,,,\"found in a parcel, \"\"urgent\"\"\"\n"));
        read.FileRefusal.ShouldBeNull();
        read.Reader!.Delimiter.ShouldBe(',');
        read.Facts.Encoding.WebName.ShouldBe("utf-8");
        var row = read.Good.ShouldHaveSingleItem();
        row.Line.ShouldBe(2);
        row["reference"].ShouldBe("R-1");
        row["quantity"].ShouldBe("12.5");
        row["place"].ShouldBeNull();
        row["notes"].ShouldBe("found in a parcel, \"urgent\"");
    }

    [Fact]
    public void Russian_headers_semicolons_a_bom_and_decimal_commas()
    {
        var text = "Номер;Учреждение;Дата;Вещество;Количество;Ед. изм.;Способ обнаружения;Примечания;;;\r\n" +
                   "15/1;СИЗО-1;14.03.2015;Гашиш;2 031,15;гр;visitor-search;передача;;;\r\n";
        var read = ReadAll(Utf8(text, bom: true));
        read.FileRefusal.ShouldBeNull();
        read.Facts.Bom.ShouldBeTrue();
        read.Reader!.Delimiter.ShouldBe(';');
        read.Refused.ShouldBeEmpty();
        var row = read.Good.ShouldHaveSingleItem();
        row["reference"].ShouldBe("15/1");
        row["facility"].ShouldBe("СИЗО-1");
        row["substance"].ShouldBe("Гашиш");
        CellText.Number(row["quantity"], null, commaLocale: true).Value.ShouldBe(2031.15m);
    }

    [Fact]
    public void Windows_1251_tab_separated_is_detected_and_decoded()
    {
        var text = "учреждение\tдата\tвещество\tколичество\tединица\tспособ обнаружения\tпримечания\n" +
                   "SIZO-1\t2015-03-14 10:30\tгероин\t0,5\tкг\tvisitor-search\tв подошве ботинка\n";
        var read = ReadAll(Cp1251(text));
        read.Facts.Encoding.CodePage.ShouldBe(1251);
        read.Reader!.Delimiter.ShouldBe('\t');
        var row = read.Good.ShouldHaveSingleItem();
        row["substance"].ShouldBe("героин");
        row["notes"].ShouldBe("в подошве ботинка");
    }

    [Fact]
    public void Utf8_without_bom_with_cyrillic_is_not_taken_for_1251()
    {
        // a long file: the check covers every chunk boundary, including a two-byte letter split between chunks
        var body = string.Concat(Enumerable.Range(0, 5000).Select(i => $"SIZO-1;2015-03-14;героин;1;г;visitor-search;строка {i} ёжик\n"));
        var read = ReadAll(Utf8("facility;occurred_at;substance;quantity;unit;detection;notes\n" + body));
        read.Facts.Encoding.WebName.ShouldBe("utf-8");
        read.Good.Count.ShouldBe(5000);
        read.Good[^1]["notes"].ShouldBe("строка 4999 ёжик");
    }

    [Fact]
    public void Quoted_line_breaks_keep_line_numbers_right_and_an_unclosed_quote_is_refused()
    {
        var text = Header + "\n" +
                   "A,SIZO-1,2015-03-14,heroin,1,g,visitor-search,,,,,,,\"two\nlines\"\n" +
                   "B,SIZO-1,2015-03-15,heroin,2,g,visitor-search,,,,,,,plain\n" +
                   "C,SIZO-1,2015-03-16,heroin,3,g,visitor-search,,,,,,,\"never closed\n";
        var read = ReadAll(Utf8(text));
        read.Good.Select(r => (r.Line, r["reference"])).ShouldBe([(2, "A"), (4, "B")]);
        read.Good[0]["notes"].ShouldBe("two\nlines");
        read.Refused.ShouldHaveSingleItem().Line.ShouldBe(5);
    }

    [Fact]
    public void A_missing_required_column_refuses_the_file_on_line_1()
    {
        var read = ReadAll(Utf8("facility,occurred_at,substance,unit,detection\nSIZO-1,2015-03-14,heroin,g,visitor-search\n"));
        read.Reader.ShouldBeNull();
        read.FileRefusal!.Line.ShouldBe(1);
        read.FileRefusal.Column.ShouldBe("quantity");
    }

    [Fact]
    public void Garbage_and_an_empty_file_are_refused_not_thrown()
    {
        ReadAll([]).FileRefusal!.Why.ShouldContain("empty");
        ReadAll([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).FileRefusal!.Why.ShouldContain("XLSX");
    }

    /// <summary>The layout's own knowledge: substances and units the vocabulary knows.</summary>
    private static bool Plausible(string column, string value) => column switch
    {
        "unit" => value is "g" or "kg" or "гр",
        "substance" => value is "heroin" or "hashish",
        "detection" => value == "visitor-search",
        _ => true,
    };

    [Fact]
    public void A_comma_file_from_a_decimal_comma_locale_is_recovered_where_unambiguous_and_refused_where_not()
    {
        var text = "facility,occurred_at,substance,quantity,unit,detection,notes\n" +
                   "SIZO-1,2015-03-14,heroin,2031,15,g,visitor-search,ok\n" +            // 2031,15 split: one reading
                   "SIZO-1,2015-03-14,heroin,12,g,visitor-search,in a shoe, left foot\n" + // comma in notes: one reading
                   "SIZO-1,2015-03-14,heroin,2031,15,g,visitor-search,shoe, sole\n" +     // both: still one reading
                   "SIZO-1,2015-03-14,heroin,7,5,visitor-search,x,y\n";                    // no unit fits: refused
        var read = ReadAll(Utf8(text), plausible: Plausible);
        read.Good.Select(r => (r.Line, r["quantity"], r["unit"], r["notes"])).ShouldBe(
        [
            (2, "2031,15", "g", "ok"),
            (3, "12", "g", "in a shoe, left foot"),
            (4, "2031,15", "g", "shoe, sole"),
        ]);
        var refusal = read.Refused.ShouldHaveSingleItem();
        refusal.Line.ShouldBe(5);
        refusal.Why.ShouldContain("quote the fields");
    }

    [Fact]
    public void A_trailing_empty_header_cell_does_not_hide_split_decimals_of_the_last_number_columns()
    {
        // Excel in a decimal-comma locale saved as "CSV (comma delimited)": the header ends in an empty cell (",") and so
        // does every line, and quantity, lat and lon stand unquoted with their decimal commas ("2031,15", "42,87", "74,59").
        var text = Header + ",\n" +
                   "R-1,SIZO-1,2015-03-14,heroin,2031,15,g,visitor-search,,,,,42,87,74,59,,\n" +         // all three split, no notes
                   "R-2,SIZO-1,2015-03-14,heroin,12,g,visitor-search,,,,,42,87,74,59,in a shoe, left,\n" + // lat and lon split, a comma in notes
                   "R-3,SIZO-1,2015-03-14,heroin,12,g,visitor-search,,,,,42,87,74,in a shoe,\n" +          // 42,87|74 or 42|87,74: refused
                   "R-4,SIZO-1,2015-03-14,herion,12,g,visitor-search,,,,,,,plain,\n";                       // a typo: left to the checks to name
        var read = ReadAll(Utf8(text), plausible: Plausible);
        read.Good.Select(r => (r.Line, r["reference"], r["quantity"], r["lat"], r["lon"], r["notes"])).ShouldBe(
        [
            (2, "R-1", "2031,15", "42,87", "74,59", null),
            (3, "R-2", "12", "42,87", "74,59", "in a shoe, left"),
            (5, "R-4", "12", null, null, "plain"),
        ]);
        read.Good[^1]["substance"].ShouldBe("herion");
        var refusal = read.Refused.ShouldHaveSingleItem();
        refusal.Line.ShouldBe(4);
        refusal.Why.ShouldContain("more than one way");
    }

    [Fact]
    public void An_ambiguous_comma_placement_is_refused_never_guessed()
    {
        // quantity 1,5 is forced (no unit "5"), but lat and lon side by side hold three fields of digits: 42,87 | 74 or 42 | 87,74
        var text = "facility,occurred_at,substance,quantity,unit,detection,lat,lon,notes\n" +
                   "SIZO-1,2015-03-14,heroin,1,5,g,visitor-search,42,87,74,a\n";
        var read = ReadAll(Utf8(text), plausible: Plausible);
        read.Good.ShouldBeEmpty();
        read.Refused.ShouldHaveSingleItem().Why.ShouldContain("more than one way");

        // a field of digits alone is never a piece of notes (the rule the UNODC reader shares): "a,42,87" is notes a, lat 42,87
        var single = ReadAll(Utf8("facility,occurred_at,substance,quantity,unit,detection,notes,lat\n" +
                                  "SIZO-1,2015-03-14,heroin,1,5,g,visitor-search,a,42,87\n"), plausible: Plausible);
        single.Good.Select(r => (r["quantity"], r["notes"], r["lat"])).ShouldBe([("1,5", "a", "42,87")]);
    }

    [Fact]
    public void An_xlsx_sheet_reads_shared_strings_numbers_and_gaps()
    {
        var bytes = Xlsx(
            ["facility", "occurred_at", "substance", "quantity", "unit", "detection", "notes"],
            ["SIZO-1", 42077.4375, "героин", 12.5, "г", "visitor-search", null],
            [null, null, null, null, null, null, null],
            ["SIZO-1", "14.03.2015", "heroin", 3, "kg", "visitor-search", "=cmd|' /C calc'!A0"]);
        var read = ReadAll(bytes);
        read.Facts.Xlsx.ShouldBeTrue();
        read.Good.Select(r => r.Line).ShouldBe([2, 4]);
        read.Good[0]["occurred_at"].ShouldBe("42077.4375");
        read.Good[0]["quantity"].ShouldBe("12.5");
        read.Good[0]["notes"].ShouldBeNull();
        read.Good[1]["notes"].ShouldBe("=cmd|' /C calc'!A0");
    }

    [Fact]
    public void A_mapping_names_columns_aliases_values_and_date_formats()
    {
        var (mapping, error) = ImportMapping.Parse("""
            { "columns": { "facility": "Объект", "occurred_at": "Когда изъято", "quantity": "Масса" },
              "values": { "substance": { "гашиш": "cannabis-resin" } },
              "dateFormats": ["dd/MM/yyyy"],
              "defaults": { "detection": "visitor-search", "unit": "g" } }
            """);
        error.ShouldBeNull();
        var read = ReadAll(Utf8("Объект;Когда изъято;Вещество;Масса\nSIZO-1;14/03/2015;ГАШИШ;5\n"), mapping);
        var row = read.Good.ShouldHaveSingleItem();
        row["substance"].ShouldBe("cannabis-resin");
        row["detection"].ShouldBe("visitor-search");
        row["unit"].ShouldBe("g");
        CellText.Time(row["occurred_at"], mapping!.DateFormats).Time!.Local.ShouldBe(new DateTime(2015, 3, 14));

        ImportMapping.Parse("""{ "columns": { "weight": "Масса" } }""").Error!.ShouldContain("weight");
        ImportMapping.Parse("not json").Error.ShouldNotBeNull();
    }

    [Theory]
    [InlineData("12.5", null, false, "12.5")]
    [InlineData("12,5", null, false, "12.5")]
    [InlineData("1 250,5", null, false, "1250.5")]
    [InlineData("1\u00A0250\u00A0000", null, false, "1250000")]
    [InlineData("1,250.75", null, false, "1250.75")]
    [InlineData("1.250,75", null, false, "1250.75")]
    [InlineData("1,250,000", null, false, "1250000")]
    [InlineData("0,250", null, true, "0.250")]
    [InlineData("1,250", ',', false, "1.250")]
    [InlineData("1,250", '.', false, "1250")]
    [InlineData("-3", null, false, "-3")]
    public void Numbers_are_read_in_their_locales(string text, char? decimalSeparator, bool commaLocale, string expected) =>
        CellText.Number(text, decimalSeparator, commaLocale).Value.ShouldBe(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("1,250")]  // 1.25 or 1250
    [InlineData("12 5")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    [InlineData("1,25.0,1")]
    public void Ambiguous_or_broken_numbers_are_refused_with_a_reason(string text)
    {
        var (value, why) = CellText.Number(text);
        value.ShouldBeNull();
        why.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Dates_instants_local_times_and_excel_serials()
    {
        CellText.Time("2015-03-14T10:30:00+06:00").Time!.Instant.ShouldBe(new DateTimeOffset(2015, 3, 14, 10, 30, 0, TimeSpan.FromHours(6)));
        var local = CellText.Time("14.03.2015 10:30").Time!;
        (local.Local, local.DateOnly).ShouldBe((new DateTime(2015, 3, 14, 10, 30, 0), false));
        var date = CellText.Time("2015-03-14").Time!;
        (date.Local, date.DateOnly).ShouldBe((new DateTime(2015, 3, 14), true));
        CellText.Time("14.03.2015").Time!.DateOnly.ShouldBeTrue();
        var serial = CellText.Time("42077.4375").Time!; // Excel: 2015-03-14 10:30
        (serial.Local, serial.DateOnly).ShouldBe((new DateTime(2015, 3, 14, 10, 30, 0), false));
        CellText.Time("42077").Time!.Local.ShouldBe(new DateTime(2015, 3, 14));
        local.In(TimeZoneInfo.FindSystemTimeZoneById("Asia/Bishkek")).ShouldBe(new DateTimeOffset(2015, 3, 14, 10, 30, 0, TimeSpan.FromHours(6)));

        CellText.Time("03/04/2015").Why!.ShouldContain("ambiguous");
        CellText.Time("31.02.2015").Why.ShouldNotBeNull();
        CellText.Time("yesterday").Why.ShouldNotBeNull();
    }
}

/// <summary>Formula injection: every CSV/XLSX export passes its text cells through SafeCells.</summary>
public sealed class SafeCellsTests
{
    [Theory]
    [InlineData("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("-12.5", "-12.5")]
    [InlineData("heroin", "heroin")]
    public void Cells_that_would_run_as_formulas_are_neutralised(string text, string expected) =>
        SeizureIntel.Pipeline.SafeCells.Neutralise(text).ShouldBe(expected);

    [Fact]
    public void A_csv_field_is_neutralised_then_quoted() =>
        SeizureIntel.Pipeline.SafeCells.Csv("=HYPERLINK(\"http://x\",\"y\")").ShouldBe("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
}
