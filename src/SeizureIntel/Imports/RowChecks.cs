using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SeizureIntel.Calendar;
using SeizureIntel.Facilities;
using SeizureIntel.Imports.Reading;
using SeizureIntel.Reference;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Imports;

/// <summary>A row that passed every check of recording: the seizure, the key that makes a re-import a no-op, and whether it gave a date alone.</summary>
public sealed record ValidRow(int Line, ValidSeizure Seizure, string Key, bool DateOnly);

/// <summary>
/// A row of a file becomes a <see cref="RecordSeizure"/> command and passes exactly the checks of POST /api/seizures
/// (<see cref="SeizureRules.Check"/>); what fails is refused by line and template column, with the same reasons.
/// </summary>
public sealed class RowChecks(SeizureFields fields, FacilityCatalog facilities, ReferenceData reference)
{
    /// <summary>The API's field names → the template's columns.</summary>
    private static string? ColumnOf(string field) => field switch
    {
        "facilityId" => ImportColumns.Facility,
        "occurredAt" => ImportColumns.OccurredAt,
        "substance" => ImportColumns.Substance,
        "quantity" or "quantity.value" => ImportColumns.Quantity,
        "quantity.unit" => ImportColumns.Unit,
        "detection" or "operationId" => ImportColumns.Detection,
        "place" or "entry" or "concealment" or "possession" or "notes" => field,
        "location.lat" or "location" or "crossBorder" => ImportColumns.Lat,
        "location.lon" => ImportColumns.Lon,
        _ => null,
    };

    /// <summary>Cell plausibility for placing commas in a damaged comma-separated line: codes the vocabularies know, numbers, dates.</summary>
    public bool Plausible(string column, string value) => column switch
    {
        ImportColumns.Facility => facilities.Resolve(value) is not null,
        ImportColumns.OccurredAt => CellText.Time(value).Time is not null,
        ImportColumns.Substance => reference.Find(ReferenceData.Substances, value) is not null,
        ImportColumns.Unit => reference.Find(ReferenceData.Units, value) is not null,
        ImportColumns.Detection => reference.Find(ReferenceData.DetectionMethods, value) is not null,
        ImportColumns.Place => reference.Find(ReferenceData.Places, value) is not null,
        ImportColumns.Entry => reference.Find(ReferenceData.EntryMethods, value) is not null,
        ImportColumns.Concealment => reference.Find(ReferenceData.ConcealmentMethods, value) is not null,
        ImportColumns.Possession => reference.Find(ReferenceData.Possession, value) is not null,
        _ => true,
    };

    public (ValidRow? Row, List<ImportRefusal> Refusals) Check(SeizureRow row, ImportMapping mapping, char? decimalSeparator, bool commaLocale,
        DateTimeOffset now)
    {
        var refusals = new List<ImportRefusal>();
        void Refuse(string column, string why) => refusals.Add(new ImportRefusal(row.Line, column, row[column], why));

        decimal? Number(string column)
        {
            var (value, why) = CellText.Number(row[column], decimalSeparator, commaLocale);
            if (why is not null) Refuse(column, why);
            return value;
        }

        var quantity = Number(ImportColumns.Quantity);
        var lat = Number(ImportColumns.Lat);
        var lon = Number(ImportColumns.Lon);
        var (stated, timeWhy) = CellText.Time(row[ImportColumns.OccurredAt], mapping.DateFormats);
        if (timeWhy is not null) Refuse(ImportColumns.OccurredAt, timeWhy);
        if (row[ImportColumns.Reference] is { Length: > 100 }) Refuse(ImportColumns.Reference, "must be at most 100 characters");
        if (refusals.Count > 0) return (null, refusals);

        // a local time is read in the facility's zone (the country's when there is no facility)
        var zone = LocalCalendar.Zone(facilities.Resolve(row[ImportColumns.Facility])?.TimeZone ?? LocalCalendar.CountryTimeZone);
        var occurredAt = stated?.In(zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var location = lat is null && lon is null ? null : new LocationInput((double?)lat, (double?)lon);
        var command = new RecordSeizure(row[ImportColumns.Facility], occurredAt, row[ImportColumns.Substance],
            new QuantityInput(quantity, row[ImportColumns.Unit]), row[ImportColumns.Detection], row[ImportColumns.Notes],
            row[ImportColumns.Place], row[ImportColumns.Entry], row[ImportColumns.Concealment], row[ImportColumns.Possession], location);
        var (seizure, problems) = SeizureRules.Check(command, fields, now);
        if (seizure is null)
        {
            foreach (var (field, reasons) in problems.Errors)
            {
                var column = ColumnOf(field);
                foreach (var why in reasons)
                    refusals.Add(new ImportRefusal(row.Line, column, column is null ? null : row[column], column is null ? $"{field} {why}" : why));
            }
            return (null, refusals);
        }
        return (new ValidRow(row.Line, seizure, Key(row[ImportColumns.Reference], seizure), stated!.DateOnly), refusals);
    }

    /// <summary>
    /// What makes two rows the same seizure for a re-import: the agency's own reference when the row has one, else the
    /// SHA-256 of the validated content (the same seizure from a CSV or an XLSX, in English or Russian, is one key).
    /// </summary>
    public static string Key(string? reference, ValidSeizure s)
    {
        if (!string.IsNullOrWhiteSpace(reference)) return "ref:" + reference.Trim();
        var content = string.Join('\u001F', s.Facility?.Code, s.Location?.Lat.ToString(CultureInfo.InvariantCulture),
            s.Location?.Lon.ToString(CultureInfo.InvariantCulture), s.OccurredAt.UtcTicks, s.Substance,
            (s.Quantity.Value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture), s.Quantity.Unit, s.Detection, s.Circumstances.Place, s.Circumstances.Entry,
            s.Circumstances.Concealment, s.Circumstances.Possession, s.Notes);
        return "sha:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));
    }
}
