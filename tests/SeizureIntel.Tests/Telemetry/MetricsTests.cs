using System.Net.Http.Json;
using SeizureIntel.Tests.Support;
using static SeizureIntel.Tests.Support.NodeApi;

namespace SeizureIntel.Tests.Telemetry;

/// <summary>
/// GET /metrics scraped from real node processes as Prometheus would (a client holding the monitoring role): the operator's
/// figures move with what the nodes do. Who may scrape is the access matrix test's (Identity/AccessMatrixTests.cs).
/// </summary>
public sealed class MetricsTests(TelemetryNodes nodes) : IClassFixture<TelemetryNodes>
{
    private static object Seizure(int year, decimal grams) => new
    {
        facilityId = "SIZO-1", occurredAt = $"{year}-03-14T10:30:00+06:00", substance = "heroin", quantity = new { value = grams, unit = "g" },
        detection = "visitor-search",
    };

    private static async Task RecordAsync(HttpClient officer, int year, decimal grams)
    {
        using var response = await officer.PostAsJsonAsync("/api/seizures", Seizure(year, grams));
        ((int)response.StatusCode).ShouldBe(201, await response.Content.ReadAsStringAsync());
    }

    private static double PostsOfSeizures(List<Sample> samples) => samples
        .Where(s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/api/seizures"
                    && s.Labels.GetValueOrDefault("http_request_method") == "POST")
        .Sum(s => s.Value);

    [Fact]
    public async Task after_recording_the_daemon_lag_is_zero_at_the_newest_event_and_the_requests_are_counted()
    {
        using var officer = await nodes.Ssep.ClientAsync(nodes.SsepCredentials, "officer");
        using var monitoring = await nodes.Ssep.ClientAsync(nodes.SsepCredentials, "monitoring");
        var postsBefore = PostsOfSeizures(await Scrape.MetricsAsync(monitoring));
        for (var i = 0; i < 3; i++) await RecordAsync(officer, 2016, 10 + i);
        // The newest event, read by the test from the store itself.
        var newest = await CountAsync($"select coalesce(max(seq_id), 0) from {TelemetryNodes.SchemaOf("SSEP")}.mt_events");
        newest.ShouldBeGreaterThanOrEqualTo(3);

        List<Sample> samples = [];
        await EventuallyAsync(async () =>
        {
            samples = await Scrape.MetricsAsync(monitoring);
            var lags = samples.Where(s => s.Name == "seizureintel_projection_lag").ToList();
            return samples.Value("seizureintel_events_latest") >= newest && lags.Count > 0 && lags.All(l => l.Value == 0)
                   && lags.Any(l => l.Labels["projection"].StartsWith("SeizureLedger", StringComparison.Ordinal));
        }, "the scrape shows the newest event and every projection at lag 0");
        samples.Where(s => s.Name == "seizureintel_projection_lag").Select(s => s.Labels["projection"])
            .ShouldContain(p => p.StartsWith("SeizureLedger", StringComparison.Ordinal));
        samples.Value("seizureintel_figures_age_seconds")!.Value.ShouldBeInRange(0, 10);

        // Request rate and latency: exactly the three recordings (one process, one node), with their time summed.
        PostsOfSeizures(samples).ShouldBe(postsBefore + 3);
        samples.Where(s => s.Name == "http_server_request_duration_seconds_sum" && s.Labels.GetValueOrDefault("http_route") == "/api/seizures")
            .Sum(s => s.Value).ShouldBeGreaterThan(0);
        // Marten's, Wolverine's, Npgsql's and the runtime's own instruments.
        samples.ShouldContain(s => s.Name == "marten_event_append_events_total" && s.Labels.GetValueOrDefault("event_type") == "seizure_recorded");
        samples.ShouldContain(s => s.Name.StartsWith("wolverine_", StringComparison.Ordinal));
        samples.ShouldContain(s => s.Name.StartsWith("db_client_operation_duration_seconds", StringComparison.Ordinal));
        samples.ShouldContain(s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_refused_partner_message_raises_the_refused_and_dead_letter_figures_of_that_partner()
    {
        using var officer = await nodes.Ssep.ClientAsync(nodes.SsepCredentials, "officer");
        using var monitoring = await nodes.Ssdc.ClientAsync(nodes.SsdcCredentials, "monitoring");
        var before = await Scrape.MetricsAsync(monitoring);
        var refusedBefore = before.Value("seizureintel_sharing_refused_messages", ("partner", "SSEP"));
        refusedBefore.ShouldNotBeNull("the refused figure is published for each partner, zero or not");
        var lettersBefore = before.Value("seizureintel_dead_letters", ("partner", "SSEP"))!.Value;

        // SSDC takes nothing before 2016: SSEP's 2015 record is refused there.
        await RecordAsync(officer, 2015, 7);
        var letters = $"select count(*) from {TelemetryNodes.SchemaOf("SSDC")}.wolverine_dead_letters";
        // Up to 120 s: one run at a load average of 50 took longer than 30 s to carry the record across (it passed on rerun).
        await EventuallyAsync(async () => await CountAsync(letters) >= lettersBefore + 1, "SSDC dead-lettered SSEP's 2015 record", 120);
        var expected = await CountAsync(letters);
        await EventuallyAsync(async () =>
        {
            var after = await Scrape.MetricsAsync(monitoring);
            return after.Value("seizureintel_sharing_refused_messages", ("partner", "SSEP")) == refusedBefore + 1
                && after.Value("seizureintel_dead_letters", ("partner", "SSEP")) == expected;
        }, "SSDC's scrape shows one more refused message from SSEP, and its dead letters as its table holds them");
    }

    [Fact]
    public async Task a_record_for_a_killed_partner_is_unacknowledged_and_every_sharing_figure_drains_once_it_is_back()
    {
        using var officer = await nodes.Ssep.ClientAsync(nodes.SsepCredentials, "officer");
        using var monitoring = await nodes.Ssep.ClientAsync(nodes.SsepCredentials, "monitoring");
        // Whatever went before has been acknowledged (or refused) first.
        await EventuallyAsync(async () => (await Scrape.MetricsAsync(monitoring)).Value("seizureintel_sharing_unacknowledged", ("partner", "SSDC")) == 0,
            "SSEP has nothing unacknowledged to start with");

        nodes.KillSsdc();
        try
        {
            await RecordAsync(officer, 2016, 3);
            await EventuallyAsync(async () =>
                (await Scrape.MetricsAsync(monitoring)).Value("seizureintel_sharing_unacknowledged", ("partner", "SSDC")) == 1,
                "SSEP's scrape shows the one record version SSDC has not acknowledged");
            (await CountAsync($"select count(*) from {TelemetryNodes.Base}_queues.wolverine_queue_{TelemetryNodes.Base}_ssdc_from_ssep"))
                .ShouldBe(1, "the message waits in SSDC's queue table");
        }
        finally
        {
            await nodes.RestartSsdcAsync();
        }

        using var ssdcMonitoring = await nodes.Ssdc.ClientAsync(nodes.SsdcCredentials, "monitoring");
        await EventuallyAsync(async () =>
        {
            var ssep = await Scrape.MetricsAsync(monitoring);
            var ssdc = await Scrape.MetricsAsync(ssdcMonitoring);
            return ssep.Value("seizureintel_sharing_unacknowledged", ("partner", "SSDC")) == 0
                && ssep.Value("seizureintel_sharing_outbox_depth", ("partner", "SSDC")) == 0
                && ssdc.Value("seizureintel_sharing_inbox_depth", ("partner", "SSEP"), ("stage", "queue")) == 0
                && ssdc.Value("seizureintel_sharing_inbox_depth", ("partner", "SSEP"), ("stage", "inbox")) == 0;
        }, "SSEP's outbox empty and every version acknowledged; SSDC's queue and inbox from SSEP empty");
    }
}
