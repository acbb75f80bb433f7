using Npgsql;
using SeizureIntel.Seizures.References;
using SeizureIntel.Tests.Support;

namespace SeizureIntel.Tests.Seizures.Recording;

public sealed class ReferenceTests(NodeFixture fixture) : NodeTest(fixture)
{
    [Fact]
    public async Task concurrent_posts_get_unique_gapless_references_per_agency_and_local_year()
    {
        const int per2015 = 40, per2014 = 15;
        var posts = Enumerable.Range(0, per2015).Select(i => RecordAsync(Body(occurredAt: $"2015-05-{1 + i % 28:D2}T09:00:00+06:00")))
            .Concat(Enumerable.Range(0, per2014).Select(_ => RecordAsync(Body(occurredAt: "2014-07-01T09:00:00+06:00"))))
            // 2014-12-31T19:30Z is already 1 January 2015 in Bishkek: it takes a 2015 number.
            .Append(RecordAsync(Body(occurredAt: "2014-12-31T19:30:00Z")))
            .ToList();

        var created = await Task.WhenAll(posts);

        var references = created.Select(c => c.Reference).ToList();
        references.ShouldBeUnique();
        references.Where(r => r.StartsWith("SSEP-2015-")).Order()
            .ShouldBe(Enumerable.Range(1, per2015 + 1).Select(n => $"SSEP-2015-{n:D6}"));
        references.Where(r => r.StartsWith("SSEP-2014-")).Order()
            .ShouldBe(Enumerable.Range(1, per2014).Select(n => $"SSEP-2014-{n:D6}"));
        (await StreamCountAsync()).ShouldBe(per2015 + per2014 + 1);
    }

    [Theory]
    [InlineData("SSEP", 2015, 1)]
    [InlineData("SSDC", 2014, 123)]
    [InlineData("SSEP", 2020, 999_999)]
    [InlineData("SSEP", 2021, 1_234_567)]
    public async Task the_references_sql_form_reads_exactly_as_its_csharp_form(string agency, int year, int sequence)
    {
        // The import numbers its seizures in the database (Imports/SeizureEventCopy.cs), the API in .NET: one format.
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select {ReferenceAllocator.SqlFormat("@agency", "@year", "@sequence")}", connection);
        command.Parameters.AddWithValue("agency", agency);
        command.Parameters.AddWithValue("year", year);
        command.Parameters.AddWithValue("sequence", sequence);
        ((string)(await command.ExecuteScalarAsync())!).ShouldBe(ReferenceAllocator.Format(agency, year, sequence));
        ReferenceAllocator.Format(agency, year, sequence).ShouldBe($"{agency}-{year}-{(sequence < 1_000_000 ? sequence.ToString("000000") : sequence.ToString())}");
    }
}
