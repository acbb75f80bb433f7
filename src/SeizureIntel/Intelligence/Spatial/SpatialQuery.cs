using System.Globalization;
using NetTopologySuite.Features;
using Npgsql;
using SeizureIntel.Geography;
using SeizureIntel.Pipeline;
using SeizureIntel.Seizures;

namespace SeizureIntel.Intelligence.Spatial;

/// <summary>Parsing of the spatial queries' parameters and the GeoJSON features they answer with.</summary>
public static class SpatialQuery
{
    public const string Title = "Bad spatial query";

    /// <summary>The columns every seizure feature is read from, in the order <see cref="Feature"/> reads them.</summary>
    public const string Columns =
        "seizure_id, ST_Y(geom) as lat, ST_X(geom) as lon, agency, facility_id, oblast, substance, detection, local_date, grams, lab_confirmed_grams, precision";

    public static double? Number(Problems problems, string field, string? value, double min, double max, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) problems.Fail(field, "is required");
            return null;
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            problems.Fail(field, $"'{value}' is not a number");
            return null;
        }
        if (number < min || number > max)
        {
            problems.Fail(field, $"must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return number;
    }

    public static int? Integer(Problems problems, string field, string? value, int min, int max, int? fallback)
    {
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) problems.Fail(field, $"'{value}' is not a whole number");
        else if (number < min || number > max) problems.Fail(field, $"must be between {min} and {max}");
        else return number;
        return null;
    }

    /// <summary>from/to: local dates (yyyy-MM-dd, the seizure's date in its time zone), both inclusive.</summary>
    public static (DateOnly? From, DateOnly? To) Dates(Problems problems, string? from, string? to)
    {
        DateOnly? Parse(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            problems.Fail(field, $"'{value}' is not a date (yyyy-MM-dd)");
            return null;
        }
        var f = Parse("from", from);
        var t = Parse("to", to);
        if (f is not null && t is not null && t < f) problems.Fail("to", "is before from");
        return (f, t);
    }

    /// <summary>
    /// SQL conditions for the date range (parameters @from and @to), always with <c>counted</c>, and, for an officer
    /// limited to facilities (<see cref="Identity.Actor.VisibleFacilities"/>), only those facilities (@facilities).
    /// </summary>
    public static string Where(NpgsqlCommand command, DateOnly? from, DateOnly? to, IReadOnlyList<string>? facilities = null)
    {
        var where = "counted";
        if (facilities is not null)
        {
            where += " and upper(facility_id) = any(@facilities)";
            command.Parameters.AddWithValue("facilities", facilities.ToArray());
        }
        if (from is { } f)
        {
            where += " and local_date >= @from";
            command.Parameters.AddWithValue("from", f);
        }
        if (to is { } t)
        {
            where += " and local_date <= @to";
            command.Parameters.AddWithValue("to", t);
        }
        return where;
    }

    /// <summary>A seizure as a GeoJSON Feature (a Point, longitude first) from a row read with <see cref="Columns"/>.</summary>
    public static Feature Feature(NpgsqlDataReader row)
    {
        var attributes = new AttributesTable
        {
            { "seizureId", row.GetGuid(0).ToString() },
            { "agency", Text(row, 3) },
            { "facilityId", Text(row, 4) },
            { "oblast", Text(row, 5) },
            { "substance", Text(row, 6) },
            { "detection", Text(row, 7) },
            { "localDate", row.IsDBNull(8) ? null : row.GetFieldValue<DateOnly>(8).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
            { "grams", row.IsDBNull(9) ? null : row.GetDecimal(9) },
            { "labConfirmedGrams", row.IsDBNull(10) ? null : row.GetDecimal(10) },
            { "precision", Text(row, 11) },
        };
        return new Feature(Wgs84.Point(row.GetDouble(1), row.GetDouble(2)), attributes);
    }

    private static string? Text(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    public static string Table(string schema) => $"{schema}.{SeizureLocations.TableName}";
}
