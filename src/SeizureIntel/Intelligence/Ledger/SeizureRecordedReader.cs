using System.Globalization;
using System.Text.Json;
using SeizureIntel.Seizures;
using SeizureIntel.Seizures.Corrections;
using SeizureIntel.Seizures.LabAnalysis;
using SeizureIntel.Seizures.Quantities;
using SeizureIntel.Seizures.Recording;

namespace SeizureIntel.Intelligence.Ledger;

/// <summary>
/// Reads a stored <see cref="SeizureRecorded"/>, <see cref="SeizureCorrected"/> or <see cref="LabAnalysisReported"/> (its JSON in
/// mt_events, as the store's serializer wrote it: camelCase names)
/// with a <see cref="Utf8JsonReader"/>, taking only the fields the ledger folds (<see cref="SeizureFolding.Fold(ISeizureFields, SeizureRecorded)"/>:
/// agency, facility, instant, local date, substance, quantity, detection, demo, circumstances, location, oblast; a lab
/// result's substance and net weight) and skipping the rest (reference, notes, who recorded or corrected it and why, import,
/// distribution, the lab's case and techniques…), which the record then holds as null or
/// default. Each value is read as System.Text.Json reads it (the same reader calls for numbers, instants and dates), so the
/// fold gives the same fact as after the store's own deserialisation (<c>SeizureRecordedReaderTests</c> compares them);
/// it is several times cheaper than the store's reflection-based reading of a record with twenty constructor parameters,
/// which was the largest part of a rebuild's fold. Only for <see cref="LedgerRebuild"/>: nothing else may see the skipped fields
/// missing.
/// </summary>
public static class SeizureRecordedReader
{
    public static SeizureRecorded Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        string? agency = null, facilityId = null, substance = null, detection = null, oblast = null;
        DateTimeOffset occurredAt = default;
        DateOnly localDate = default;
        Quantity? quantity = null;
        var demo = false;
        Circumstances? circumstances = null;
        SeizureLocation? location = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("agency"u8)) agency = NextString(ref reader);
            else if (reader.ValueTextEquals("facilityId"u8)) facilityId = NextString(ref reader);
            else if (reader.ValueTextEquals("occurredAt"u8)) { reader.Read(); occurredAt = reader.GetDateTimeOffset(); }
            else if (reader.ValueTextEquals("localDate"u8)) { reader.Read(); localDate = Date(ref reader); }
            else if (reader.ValueTextEquals("substance"u8)) substance = NextString(ref reader);
            else if (reader.ValueTextEquals("quantity"u8)) quantity = ReadQuantity(ref reader);
            else if (reader.ValueTextEquals("detection"u8)) detection = NextString(ref reader);
            else if (reader.ValueTextEquals("demo"u8)) { reader.Read(); demo = reader.GetBoolean(); }
            else if (reader.ValueTextEquals("circumstances"u8)) circumstances = ReadCircumstances(ref reader);
            else if (reader.ValueTextEquals("location"u8)) location = ReadLocation(ref reader);
            else if (reader.ValueTextEquals("oblast"u8)) oblast = NextString(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("a SeizureRecorded event is not a JSON object");
        return new SeizureRecorded(default, agency!, null!, facilityId, occurredAt, localDate, null!, substance!, quantity!, detection!, null,
            null!, default, demo, circumstances, location, oblast);
    }

    /// <summary>
    /// A stored <see cref="SeizureCorrected"/>, with only the fields the ledger folds
    /// (<see cref="SeizureFolding.Fold(ISeizureFields, SeizureCorrected)"/>); the changes, reason, author, time and notes are skipped.
    /// </summary>
    public static SeizureCorrected ReadCorrection(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        string? facilityId = null, substance = null, detection = null, place = null, entry = null, concealment = null, possession = null, oblast = null;
        DateTimeOffset? occurredAt = null;
        DateOnly? localDate = null;
        Quantity? quantity = null;
        SeizureLocation? location = null;
        var locationRemoved = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("facilityId"u8)) facilityId = NextString(ref reader);
            else if (reader.ValueTextEquals("occurredAt"u8)) { reader.Read(); occurredAt = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset(); }
            else if (reader.ValueTextEquals("localDate"u8)) { reader.Read(); localDate = reader.TokenType == JsonTokenType.Null ? null : Date(ref reader); }
            else if (reader.ValueTextEquals("substance"u8)) substance = NextString(ref reader);
            else if (reader.ValueTextEquals("quantity"u8)) quantity = ReadQuantity(ref reader);
            else if (reader.ValueTextEquals("detection"u8)) detection = NextString(ref reader);
            else if (reader.ValueTextEquals("place"u8)) place = NextString(ref reader);
            else if (reader.ValueTextEquals("entry"u8)) entry = NextString(ref reader);
            else if (reader.ValueTextEquals("concealment"u8)) concealment = NextString(ref reader);
            else if (reader.ValueTextEquals("possession"u8)) possession = NextString(ref reader);
            else if (reader.ValueTextEquals("location"u8)) location = ReadLocation(ref reader);
            else if (reader.ValueTextEquals("oblast"u8)) oblast = NextString(ref reader);
            else if (reader.ValueTextEquals("locationRemoved"u8)) { reader.Read(); locationRemoved = reader.GetBoolean(); }
            else { reader.Read(); reader.Skip(); }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("a SeizureCorrected event is not a JSON object");
        return new SeizureCorrected(default, null!, null!, null!, default, facilityId, null, occurredAt, localDate, substance, quantity, detection,
            null, place, entry, concealment, possession, location, oblast, locationRemoved);
    }

    /// <summary>A stored <see cref="LabAnalysisReported"/>, with only the confirmed substance and net weight (what the ledger folds).</summary>
    public static LabAnalysisReported ReadLabResult(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Expect(ref reader, JsonTokenType.StartObject);
        string? substance = null;
        decimal grams = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("confirmedSubstance"u8)) substance = NextString(ref reader);
            else if (reader.ValueTextEquals("netWeightGrams"u8)) { reader.Read(); grams = reader.GetDecimal(); }
            else { reader.Read(); reader.Skip(); }
        }
        if (reader.TokenType != JsonTokenType.EndObject) throw new JsonException("a LabAnalysisReported event is not a JSON object");
        return new LabAnalysisReported(default, null!, null!, substance!, grams, null, null!, null!, default, null!, default);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type) throw new JsonException($"expected {type} in a SeizureRecorded event");
    }

    private static string? NextString(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }

    /// <summary>As System.Text.Json's DateOnly converter: exactly yyyy-MM-dd.</summary>
    private static DateOnly Date(ref Utf8JsonReader reader) =>
        DateOnly.ParseExact(reader.GetString()!, "yyyy'-'MM'-'dd", CultureInfo.InvariantCulture);

    private static Quantity? ReadQuantity(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a quantity is not a JSON object");
        decimal value = 0;
        string? unit = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("value"u8)) { reader.Read(); value = reader.GetDecimal(); }
            else if (reader.ValueTextEquals("unit"u8)) unit = NextString(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        return new Quantity(value, unit!);
    }

    private static Circumstances? ReadCircumstances(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("circumstances are not a JSON object");
        string? place = null, entry = null, concealment = null, possession = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("place"u8)) place = NextString(ref reader);
            else if (reader.ValueTextEquals("entry"u8)) entry = NextString(ref reader);
            else if (reader.ValueTextEquals("concealment"u8)) concealment = NextString(ref reader);
            else if (reader.ValueTextEquals("possession"u8)) possession = NextString(ref reader);
            else { reader.Read(); reader.Skip(); }
        }
        return new Circumstances(place, entry, concealment, possession);
    }

    private static SeizureLocation? ReadLocation(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a location is not a JSON object");
        double lat = 0, lon = 0;
        string? oblast = null;
        var crossBorder = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("lat"u8)) { reader.Read(); lat = reader.GetDouble(); }
            else if (reader.ValueTextEquals("lon"u8)) { reader.Read(); lon = reader.GetDouble(); }
            else if (reader.ValueTextEquals("oblast"u8)) oblast = NextString(ref reader);
            else if (reader.ValueTextEquals("crossBorder"u8)) { reader.Read(); crossBorder = reader.GetBoolean(); }
            else { reader.Read(); reader.Skip(); }
        }
        return new SeizureLocation(lat, lon, oblast, crossBorder);
    }
}
