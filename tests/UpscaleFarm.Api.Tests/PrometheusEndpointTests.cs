using UpscaleFarm.ServiceDefaults;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Metrics:PrometheusPort in the API: beside its own port it serves /metrics for Prometheus, with its HTTP server's
/// metrics and its embedded farm's, labelled as the API's.
/// </summary>
public sealed class PrometheusEndpointTests
{
    private sealed class MetricsApiFactory(int port) : ApiFactory(new Dictionary<string, string?>
    {
        [ServiceDefaultsExtensions.PrometheusPortSetting] = port.ToString(),
    });

    [Fact]
    public async Task The_api_serves_its_metrics_and_its_farms_to_prometheus()
    {
        var port = LoopbackPort.Free();
        using var api = new MetricsApiFactory(port);
        var client = api.ClientFor(ApiFactory.AcmeKey);
        var job = await Jobs.WaitAsync(client, (await Jobs.SubmitAsync(client, Jobs.Form([("scraped.png", Jobs.Png("chelsea.png", 12, 10))]))).Id);
        Assert.Equal("completed", job.State);

        string[] expected =
        [
            "http_server_request_duration_seconds_count", "upscalefarm_job_duration_seconds_count", "upscalefarm_tiles_completed_total",
            "upscalefarm_tile_duration_seconds_bucket", "upscalefarm_tiles_queued", "upscalefarm_outbox_pending",
        ];
        var scrape = await PrometheusScrape.WaitForAsync(port, s => expected.All(s.Samples.Select(x => x.Name).Contains), TimeSpan.FromSeconds(30));
        Assert.All(scrape.Samples.Where(s => expected.Contains(s.Name)), s => Assert.Equal("upscalefarm-api", s.Labels["service_name"]));
        // The job's request is among the server's: the route template, not the job's id, so series stay few.
        Assert.Contains(scrape.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/v1/jobs/{id:guid}");
    }
}
