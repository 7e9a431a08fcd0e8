using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Tests.Harness;
using UpscaleFarm.Farm.Tests.Telemetry;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The distributed farm's OpenTelemetry, received over OTLP/HTTP as a collector would: one job is one
/// trace across the coordinator, the worker and the assembler, and the documented metrics arrive.
/// </summary>
[Collection(FarmCollection.Name)]
public sealed class TelemetryTests(FarmServices services) : IDisposable
{
    private static readonly string[] ExpectedSpans =
        ["plan frame", "dispatch tiles", "tile queue wait", "download tile", "inference", "upload tile", "assemble frame"];

    private static readonly (string Service, string Metric)[] ExpectedMetrics =
    [
        ("upscalefarm-worker", "upscalefarm.tiles.completed"),
        ("upscalefarm-worker", "upscalefarm.tile.duration"),
        ("upscalefarm-worker", "upscalefarm.tiles.in_flight"),
        ("upscalefarm-coordinator", "upscalefarm.tiles.queued"),
        ("upscalefarm-coordinator", "upscalefarm.tiles.waiting"),
        ("upscalefarm-assembler", "upscalefarm.job.duration"),
    ];

    private readonly TempDirectory _dir = new();
    private readonly List<FarmProcess> _processes = [];
    private readonly string _name = $"uf_{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task One_job_is_one_trace_across_the_services_and_the_documented_metrics_are_exported()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var settings = services.NewFarm(_name, TestModels.NearestDirectory, _dir.File("farm"));
        foreach (var role in new[] { "coordinator", "worker", "assembler" })
            _processes.Add(await FarmProcess.StartAsync(role, Merge(settings, receiver.ExporterSettings($"upscalefarm-{role}")), $"{role}-1"));

        // The submitter traces too (as the API does), so the JobSubmitted message carries the trace.
        var local = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "MassTransit" or "UpscaleFarm",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (local) local.Add(activity); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var client = await EmbeddedFarm.StartAsync(settings, FarmRoles.None);
        Guid id;
        string traceId, rootSpanId;
        // Recorded, as a sampled request span of the API is: the services' parent-based samplers follow it.
        using (var root = new Activity("submit") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            (traceId, rootSpanId) = (root.TraceId.ToHexString(), root.SpanId.ToHexString());
            id = await client.Client.SubmitAsync([RepoPaths.SharedImage("chelsea.png")], new JobRequest { Options = new() { TileSize = 128, Halo = 8 } });
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var job = await client.Client.WaitAsync(id, cancellation: timeout.Token);
        EmbeddedFarmTests.AssertCompleted(job);
        Assert.Equal(12, job.TilesTotal);
        // 128² tiles with their halo travel 4 to a pack (a row of them): a worker's spans are a pack's.
        var packs = (await client.Store.GetTilesAsync(id, 0)).Select(t => t.Pack).Distinct().Count();
        Assert.Equal(3, packs);

        // Spans are exported in batches as they end, parents after their children: wait for the last step's,
        // for every span's parent, and for every metric.
        bool ParentsArrived()
        {
            var spans = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
            var ids = spans.Select(s => s.SpanId).Concat(LocalSpanIds(local)).Append(rootSpanId).ToHashSet();
            return spans.All(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId));
        }
        await WaitUntilAsync(() => receiver.Spans.Any(s => s.Name == "assemble frame" && s.TraceId == traceId)
            && receiver.Spans.Count(s => s.Name == "upload tile" && s.TraceId == traceId) == packs
            && ExpectedMetrics.All(receiver.Metrics.Contains) && ParentsArrived(), receiver);

        var trace = receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var jobId = id.ToString("N");
        // Every span about this job is in the job's one trace...
        Assert.All(receiver.Spans.Where(s => s.Attributes.GetValueOrDefault("job.id") == jobId), s => Assert.Equal(traceId, s.TraceId));
        // ...which holds each step, from each service.
        foreach (var name in ExpectedSpans)
            Assert.Contains(trace, s => s.Name == name);
        Assert.Equal(["upscalefarm-assembler", "upscalefarm-coordinator", "upscalefarm-worker"], trace.Select(s => s.Service).Distinct().Order());
        Assert.Equal(packs, trace.Count(s => s.Name == "inference"));
        Assert.Equal(12, trace.Where(s => s.Name == "inference").Sum(s => int.Parse(s.Attributes["tiles"])));

        // Parent links: each span's parent is a span of this trace (or the submitter's, in this process).
        var known = trace.Select(s => s.SpanId).Concat(LocalSpanIds(local)).Append(rootSpanId).ToHashSet();
        Assert.All(trace, s => Assert.True(s.ParentSpanId is not null && known.Contains(s.ParentSpanId), $"{s.Service} '{s.Name}' has parent {s.ParentSpanId ?? "none"}"));
        var byId = trace.ToDictionary(s => s.SpanId);
        // A pack's stages are children of the worker's consume span of that pack's message, which is a child of the coordinator's dispatch.
        foreach (var stage in trace.Where(s => s.Name is "tile queue wait" or "download tile" or "inference" or "upload tile"))
        {
            var consume = byId[stage.ParentSpanId!];
            Assert.Equal("upscalefarm-worker", consume.Service);
            ReceivedSpan? sent = null;
            Assert.True(consume.ParentSpanId is not null && byId.TryGetValue(consume.ParentSpanId, out sent), $"consume span {consume.Name} has no parent in the trace");
            while (sent!.Name != "dispatch tiles" && sent.ParentSpanId is not null && byId.ContainsKey(sent.ParentSpanId))
                sent = byId[sent.ParentSpanId];
            Assert.Equal(("upscalefarm-coordinator", "dispatch tiles"), (sent.Service, sent.Name));
        }
        Assert.All(trace.Where(s => s.Name == "inference"), s =>
        {
            Assert.Equal("Cpu", s.Attributes["execution_provider"]);
            Assert.Equal("1", s.Attributes["batch_size"]);
            Assert.Equal("nearest-x4", s.Attributes["model"]);
        });
        Assert.All(trace.Where(s => s.Name is "download tile" or "upload tile"), s => Assert.True(long.Parse(s.Attributes["bytes"]) > 0));
        Assert.All(trace.Where(s => s.Attributes.ContainsKey("job.id")), s => Assert.Equal("default", s.Attributes["tenant"]));

        // Logs carry the trace they were written in: the assembler's "completed" line is in the job's trace.
        await WaitUntilAsync(() => receiver.Logs.Any(l => l.Text.Contains($"Job {id} completed")), receiver);
        Assert.Equal(("upscalefarm-assembler", traceId), receiver.Logs.Where(l => l.Text.Contains($"Job {id} completed")).Select(l => (l.Service, l.TraceId)).First());
    }

    [Fact]
    public async Task A_farm_role_answers_health_probes_on_its_health_port()
    {
        var settings = services.NewFarm(_name, TestModels.NearestDirectory, _dir.File("farm"));
        var port = LoopbackPort.Free();
        settings["Farm:HealthPort"] = port.ToString();
        _processes.Add(await FarmProcess.StartAsync("worker", settings, "worker-1"));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        // Liveness is the process alone; readiness also asks the dependencies the role uses.
        foreach (var (path, checks) in new[] { ("/health/live", new[] { "self" }), ("/health/ready", ["job-store", "message-broker", "object-store", "self"]) })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
            Assert.Empty(report.RootElement.GetProperty("unavailable").EnumerateArray());
            Assert.Equal(checks, report.RootElement.GetProperty("checks").EnumerateObject()
                .Select(c => (c.Name, Status: c.Value.GetString())).Where(c => c.Status == "Healthy").Select(c => c.Name).Order().ToArray());
        }
        using var missing = await http.GetAsync("/other");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static List<string> LocalSpanIds(List<Activity> local)
    {
        lock (local)
            return local.Select(a => a.SpanId.ToHexString()).ToList();
    }

    internal static Dictionary<string, string?> Merge(IDictionary<string, string?> a, IDictionary<string, string?> b) =>
        a.Concat(b).ToDictionary(kv => kv.Key, kv => kv.Value);

    private async Task WaitUntilAsync(Func<bool> condition, OtlpReceiver receiver)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
                throw new TimeoutException($"received spans: {string.Join(", ", receiver.Spans.Select(s => $"{s.Service}:{s.Name}").Distinct())}; " +
                    $"metrics: {string.Join(", ", receiver.Metrics)}\n" + string.Join("\n", _processes.Select(p => $"--- {p.Role}\n{p.Log}")));
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
            process.Dispose();
        _dir.Dispose();
    }
}
