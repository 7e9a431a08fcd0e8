using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.ServiceDefaults;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// Metrics:PrometheusPort: each `serve` role serves the metrics it exports over OTLP at /metrics, under the Prometheus
/// names the chart's alerts and README's metrics table use, with the labels the collector would add
/// (service_name, service_instance_id), so a ServiceMonitor can scrape the pods without a collector.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class PrometheusEndpointTests(FarmServices services) : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];
    private readonly string _name = $"uf_{Guid.NewGuid():N}"[..20];

    /// <summary>What each role records during one job, by Prometheus name.</summary>
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["coordinator"] = ["upscalefarm_tiles_queued", "upscalefarm_tiles_waiting", "upscalefarm_outbox_pending", "upscalefarm_outbox_oldest_age_seconds"],
        ["worker"] =
        [
            "upscalefarm_tiles_completed_total", "upscalefarm_tile_duration_seconds_bucket", "upscalefarm_tile_duration_seconds_count",
            "upscalefarm_tile_duration_seconds_sum", "upscalefarm_tiles_in_flight", "upscalefarm_worker_output_pixels_total",
            "upscalefarm_worker_inference_cpu_time_seconds_total",
        ],
        ["assembler"] =
        [
            "upscalefarm_job_duration_seconds_bucket", "upscalefarm_job_duration_seconds_count", "upscalefarm_job_duration_seconds_sum",
            "upscalefarm_outbox_pending", "upscalefarm_outbox_oldest_age_seconds", "upscalefarm_frames_assembled_total",
        ],
    };

    /// <summary>
    /// The UpscaleFarm metrics tests/deploy/exported-metrics.json promises, which the deployment's dashboards and alerts
    /// are checked against (tests/deploy/*/check.sh): the served names must be exactly these, or an alert could watch a
    /// series no process sends.
    /// </summary>
    private static string[] DeployedNames(string prefix) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "deploy", "exported-metrics.json")))
            .RootElement.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("name").GetString()!)
            .Where(n => n.StartsWith(prefix)).Order().ToArray();

    /// <summary>A series' metric name without the suffixes a histogram adds.</summary>
    private static string MetricOf(string series) => Regex.Replace(series, "_(bucket|sum|count)$", "");

    [Fact]
    public async Task Each_serve_role_serves_its_farm_metrics_to_prometheus()
    {
        var settings = services.NewFarm(_name, TestModels.NearestDirectory, _dir.File("farm"));
        var ports = new Dictionary<string, int>();
        foreach (var role in Expected.Keys)
        {
            ports[role] = LoopbackPort.Free();
            _processes.Add(await FarmProcess.StartAsync(role,
                TelemetryTests.Merge(settings, new Dictionary<string, string?> { [ServiceDefaultsExtensions.PrometheusPortSetting] = ports[role].ToString() }), $"{role}-1"));
        }

        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        var id = await client.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], new JobRequest { Options = new() { TileSize = 128, Halo = 8 } });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        EmbeddedFarmTests.AssertCompleted(await client.Client.WaitAsync(id, cancellation: timeout.Token));

        var served = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (role, names) in Expected)
        {
            var scrape = await PrometheusScrape.WaitForAsync(ports[role], s => names.All(s.Names("upscalefarm_").Contains), TimeSpan.FromSeconds(30));
            // OpenMetrics' *_created series (a counter's or histogram's start time) accompany the metric itself.
            served.UnionWith(scrape.Names("upscalefarm_").Where(n => !n.EndsWith("_created")).Select(MetricOf));
            Assert.StartsWith("application/openmetrics-text", scrape.ContentType);
            // Every farm series says which process it is, as the collector's resource_to_telemetry_conversion does.
            Assert.All(scrape.Samples.Where(s => s.Name.StartsWith("upscalefarm_")), s =>
            {
                Assert.Equal($"upscalefarm-{role}", s.Labels["service_name"]);
                Assert.EndsWith($":{_processes.Single(p => p.Role == role).Id}", s.Labels["service_instance_id"]);
            });
            if (role == "worker")
            {
                // The job's 12 tiles (128² of 384×512: 3 packs), by model and device; each stage a histogram.
                Assert.Equal(12, scrape.Samples.Single(s => s.Name == "upscalefarm_tiles_completed_total").Value);
                Assert.Equal(("nearest-x4", "Cpu"), scrape.Samples.Where(s => s.Name == "upscalefarm_tiles_completed_total")
                    .Select(s => (s.Labels["model"], s.Labels["device"])).Single());
                Assert.Equal(["download", "inference", "queue", "upload"], scrape.Samples.Where(s => s.Name == "upscalefarm_tile_duration_seconds_count")
                    .Select(s => s.Labels["stage"]).Distinct().Order());
                // Edges in seconds (the alerts' p95s need them), not OpenTelemetry's millisecond defaults.
                Assert.Equal(FarmTelemetry.TileStageBuckets.Append(double.PositiveInfinity), Buckets(scrape, "upscalefarm_tile_duration_seconds_bucket", "stage", "download"));
            }
            if (role == "assembler")
            {
                Assert.Equal(1, scrape.Samples.Single(s => s.Name == "upscalefarm_job_duration_seconds_count" && s.Labels["state"] == "completed").Value);
                Assert.Equal(FarmTelemetry.JobBuckets.Append(double.PositiveInfinity), Buckets(scrape, "upscalefarm_job_duration_seconds_bucket", "state", "completed"));
            }
        }
        // The GPU gauges need a GPU worker; The_gpu_gauges_are_served_as_a_ratio_and_bytes covers their names.
        Assert.Equal(DeployedNames("upscalefarm_").Where(n => !n.StartsWith("upscalefarm_gpu_")), served);
    }

    [Fact]
    public async Task The_gpu_gauges_are_served_as_a_ratio_and_bytes()
    {
        var port = LoopbackPort.Free();
        using var host = FarmHost.Build(_ => FarmRoles.None, new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("gpu"),
            [ServiceDefaultsExtensions.PrometheusPortSetting] = port.ToString(),
        }, useDefaults: false, configure: builder => builder.AddServiceDefaults("upscalefarm-worker"));
        await host.StartAsync();
        try
        {
            // The gauges as a GPU worker creates them, with readings in place of NVML's (gpu 7: no other test's).
            GpuMetrics.Observe(7, () => 0.25, () => 3L << 30);

            var scrape = await PrometheusScrape.WaitForAsync(port, s => s.Names("upscalefarm_gpu_").Count == 2, TimeSpan.FromSeconds(30));
            Assert.Equal(DeployedNames("upscalefarm_gpu_"), scrape.Names("upscalefarm_gpu_"));
            Assert.Equal(0.25, scrape.Samples.Single(s => s.Name == "upscalefarm_gpu_utilization_ratio" && s.Labels["gpu"] == "7").Value);
            Assert.Equal(3L << 30, scrape.Samples.Single(s => s.Name == "upscalefarm_gpu_memory_used_bytes" && s.Labels["gpu"] == "7").Value);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("metrics")]
    [InlineData("-1")]
    [InlineData("65536")]
    public void A_setting_that_is_no_port_stops_the_start_and_names_the_setting(string value)
    {
        var refusal = Assert.Throws<InvalidOperationException>(() => FarmHost.Build(_ => FarmRoles.None, new Dictionary<string, string?>
        {
            ["Farm:DataDirectory"] = _dir.File("refused"),
            [ServiceDefaultsExtensions.PrometheusPortSetting] = value,
        }, useDefaults: false, configure: builder => builder.AddServiceDefaults("upscalefarm-worker")));
        Assert.Equal("Metrics:PrometheusPort must be a port from 1 to 65535, or 0 for no scrape endpoint", refusal.Message);
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }

    /// <summary>A histogram's bucket edges as numbers (OpenMetrics writes 1 as "1.0" and infinity as "+Inf").</summary>
    private static IEnumerable<double> Buckets(PrometheusScrape scrape, string name, string label, string value) =>
        scrape.Samples.Where(s => s.Name == name && s.Labels[label] == value)
            .Select(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], System.Globalization.CultureInfo.InvariantCulture));
}
