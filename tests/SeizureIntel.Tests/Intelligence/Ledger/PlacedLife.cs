using Alba;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Intelligence.Ledger;

/// <summary>
/// Seizures that put rows in the seizure-locations table, and every change that moves, empties or un-counts a row, so
/// that a rebuild has a non-trivial table to reproduce: own points (with and without a facility), SIZO-1's town point,
/// a void and a duplicate mark (the row stays, not counted), a lab result (grams and substance), a town point replaced
/// by an own point, a point moved to another oblast, a facility with a point swapped for one without (the row goes)
/// and back (a row comes), a date moved across New Year, and a facility without a point (never a row).
/// </summary>
public static class PlacedLife
{
    /// <summary>What the table must hold afterwards: rows in all, rows not counted, and the seizures that must have none.</summary>
    public sealed record Expected(int Rows, int Uncounted, IReadOnlyList<Guid> WithoutRow);

    private static object Seizure(string? facility, double? lat, double? lon, decimal grams, string substance = "heroin",
        string occurredAt = "2015-05-05T06:00:00+06:00") => new
    {
        facilityId = facility,
        occurredAt,
        substance,
        quantity = new { value = grams, unit = "g" },
        detection = lat is null ? "visitor-search" : "intelligence-led",
        location = lat is { } la && lon is { } lo ? new { lat = la, lon = lo } : null,
    };

    public static async Task<Expected> RecordAsync(IAlbaHost host)
    {
        async Task<Guid> Record(object body) => (await host.RecordAsync(body, "officer-9")).Id;
        async Task Change(Guid id, string action, object body, long version) => await host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl($"/api/seizures/{id}/{action}");
            s.WithRequestHeader("X-User", "officer-9");
            s.WithRequestHeader("If-Match", $"\"{version}\"");
            s.StatusCodeShouldBe(200);
        });

        var east = await Record(Seizure(null, 42.90, 74.65, 100m)); // own point, no facility
        await Change(east, "lab-submissions", new { lab = "SFC", labCaseNumber = "SFC-P1", submittedAt = "2015-05-06T10:00:00+06:00" }, 1);
        await Change(east, "lab-results", new
        {
            confirmedSubstance = "opium", netWeightGrams = 87.25m, purityPercent = 30,
            techniques = new[] { new { name = "GC-MS", category = "A" } }, analyst = "a-9", reportDate = "2015-05-20",
        }, 2);
        await Record(Seizure("IK-1", 42.52, 72.24, 12.5m, "cannabis-herb")); // own point beside a facility without one
        await Record(Seizure("SIZO-1", null, null, 5m)); // SIZO-1's town point
        var voided = await Record(Seizure("SIZO-1", null, null, 7m));
        await Change(voided, "void", new { reason = "test entry" }, 1);
        var duplicate = await Record(Seizure(null, 42.88, 74.62, 100m));
        await Change(duplicate, "duplicate-of", new { duplicateOf = east, reason = "same parcel" }, 1);
        var leaves = await Record(Seizure("SIZO-1", null, null, 3m));
        await Change(leaves, "corrections", new { reason = "it was IK-1", facilityId = "IK-1" }, 1); // its row goes
        var arrives = await Record(Seizure("IK-1", null, null, 4m)); // no row yet
        await Change(arrives, "corrections", new { reason = "it was SIZO-1", facilityId = "SIZO-1" }, 1); // now one
        var pinned = await Record(Seizure("SIZO-1", null, null, 2m)); // town, until its own point is known
        await Change(pinned, "corrections", new { reason = "exact spot known", location = new { lat = 42.87, lon = 74.59 } }, 1);
        var moved = await Record(Seizure(null, 40.513, 72.816, 9m)); // Osh
        await Change(moved, "corrections", new { reason = "wrong checkpoint", location = new { lat = 42.49, lon = 78.39 } }, 1); // Karakol
        var redated = await Record(Seizure("SIZO-1", null, null, 6m, occurredAt: "2014-12-31T23:30:00+06:00"));
        await Change(redated, "corrections", new
        {
            reason = "clock was wrong", occurredAt = "2015-01-01T00:30:00+06:00", quantity = new { value = 0.75m, unit = "kg" },
        }, 1);
        var nowhere = await Record(Seizure("IK-3", null, null, 1m)); // neither a point nor a facility with one

        // east, IK-1's own point, SIZO-1, voided, duplicate, arrives, pinned, moved, redated; not leaves, not nowhere.
        return new Expected(Rows: 9, Uncounted: 2, WithoutRow: [leaves, nowhere]);
    }

    /// <summary>
    /// Checks the snapshot's seizure-locations rows against what the scenario (plus <paramref name="others"/> rows from
    /// seizures recorded beside it) must leave, so that comparing them with a rebuild's can never pass on an empty table.
    /// </summary>
    public static void ShouldHold(List<string> rows, Expected expected, int others = 0)
    {
        rows.Count.ShouldBe(expected.Rows + others, "rows in the seizure-locations table");
        var columns = rows.Select(LedgerSnapshot.LocationColumns).ToList();
        columns.Count(c => !c.GetProperty("counted").GetBoolean()).ShouldBe(expected.Uncounted, "rows of voided seizures and duplicates");
        columns.Select(c => c.GetProperty("precision").GetString()).Distinct().ShouldBe(["exact", "town"], ignoreOrder: true);
        foreach (var id in expected.WithoutRow) rows.ShouldNotContain(r => r.StartsWith(id.ToString()));
    }
}
