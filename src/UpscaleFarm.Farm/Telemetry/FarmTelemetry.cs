using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace UpscaleFarm.Farm.Telemetry;

/// <summary>
/// The farm's own spans and metrics (ActivitySource and Meter "UpscaleFarm"; MassTransit's are
/// "MassTransit"). Names and tags are the ones the dashboards and README's operations section use.
/// </summary>
public static class FarmTelemetry
{
    public const string Name = "UpscaleFarm";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> TilesCompleted =
        Meter.CreateCounter<long>("upscalefarm.tiles.completed", "{tile}", "Tiles upscaled and stored by the workers");

    /// <summary>Output pixels of the tiles delivered; added just before <see cref="TilesCompleted"/> for the same tiles.</summary>
    public static readonly Counter<long> OutputPixels =
        Meter.CreateCounter<long>("upscalefarm.worker.output.pixels", "{pixel}", "Output pixels of the tiles upscaled and stored by the workers");

    /// <summary>
    /// CPU time of the model loops' threads inside inference: all of inference on a GPU or with the CPU device
    /// single-threaded (Worker:IntraOpThreads 1). Beside the process's CPU time, what the rest of a worker's path costs.
    /// </summary>
    public static readonly Counter<double> InferenceCpuTime =
        Meter.CreateCounter<double>("upscalefarm.worker.inference.cpu_time", "s", "CPU time of the workers' model threads inside inference");

    /// <summary>
    /// Bucket edges in seconds for a tile stage: 5 ms to 5 minutes. OpenTelemetry's default edges (0, 5, 10, 25 … 10 000)
    /// are for milliseconds; in seconds every stage would fall in the first bucket and a p95 alert could not tell 50 ms
    /// from 4 s.
    /// </summary>
    public static readonly double[] TileStageBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    /// <summary>Bucket edges in seconds for a whole job: one second to a day.</summary>
    public static readonly double[] JobBuckets = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

    public static readonly Histogram<double> TileDuration = Meter.CreateHistogram("upscalefarm.tile.duration", "s",
        "One tile's time in a stage: queue (sent to taken), download, inference, upload", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = TileStageBuckets });

    public static readonly UpDownCounter<long> TilesInFlight =
        Meter.CreateUpDownCounter<long>("upscalefarm.tiles.in_flight", "{tile}", "Tiles a worker is working on");

    /// <summary>
    /// Frames whose result an assembler wrote and recorded, by how: "progressive" (row by row as the tiles finished) or
    /// "whole" (from FrameReady, once every tile was done). A frame written twice (a redelivery) counts twice.
    /// </summary>
    public static readonly Counter<long> FramesAssembled =
        Meter.CreateCounter<long>("upscalefarm.frames.assembled", "{frame}", "Frames assembled and recorded, by assembly path");

    public static readonly Histogram<double> JobDuration =
        Meter.CreateHistogram("upscalefarm.job.duration", "s", "Submission to end of a job, by its final state", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = JobBuckets });

    /// <summary>
    /// The dispatch backlog as gauges on <paramref name="meters"/>' meter of this name (one per host: an embedded farm's
    /// in a test process is its own), read from <paramref name="backlog"/>, the dispatcher's last count.
    /// </summary>
    public static void ObserveBacklog(IMeterFactory meters, Func<(int Queued, int Waiting)> backlog)
    {
        var meter = meters.Create(Name);
        meter.CreateObservableGauge("upscalefarm.tiles.queued", () => backlog().Queued, "{tile}",
            "Tiles sent to the tile queue and not yet finished (at most the dispatch window)");
        meter.CreateObservableGauge("upscalefarm.tiles.waiting", () => backlog().Waiting, "{tile}",
            "Planned tiles waiting in the job store for room in the dispatch window");
    }

    /// <summary>
    /// The outbox as gauges on <paramref name="meters"/>' meter of this name, read from <paramref name="backlog"/>, a relay's
    /// last count. Every relay counts the same table, so take the maximum across processes, not the sum.
    /// </summary>
    public static void ObserveOutbox(IMeterFactory meters, Func<JobStore.OutboxBacklog> backlog)
    {
        var meter = meters.Create(Name);
        meter.CreateObservableGauge("upscalefarm.outbox.pending", () => backlog().Pending, "{message}",
            "Messages committed with a state change and not yet published (a broker outage makes it grow)");
        meter.CreateObservableGauge("upscalefarm.outbox.oldest_age",
            () => backlog().OldestCreatedMs is { } oldest ? Math.Max(0, Clock.NowMs - oldest) / 1000.0 : 0, "s",
            "How long the oldest unpublished message in the outbox has waited");
    }

    public static class Tags
    {
        public const string JobId = "job.id";
        public const string Tenant = "tenant";
        public const string Frame = "frame";
        public const string Tile = "tile";
        public const string Tiles = "tiles";
        public const string Model = "model";
        public const string ExecutionProvider = "execution_provider";
        public const string BatchSize = "batch_size";
        public const string Bytes = "bytes";
        public const string Stage = "stage";
        public const string State = "state";
        public const string Device = "device";
        public const string MessageType = "message_type";
        public const string Assembly = "assembly";
    }

    /// <summary>
    /// Starts a span of a job's trace. Messages carry the trace from span to span (W3C headers, through
    /// MassTransit); where a step has none of its own, the job's trace from its submission is used.
    /// </summary>
    public static Activity? StartJobActivity(string name, string? jobTraceParent, ActivityKind kind = ActivityKind.Internal)
    {
        if (jobTraceParent is not null && ActivityContext.TryParse(jobTraceParent, null, out var job) && Activity.Current?.TraceId != job.TraceId)
            return Source.StartActivity(name, kind, job, links: Activity.Current is { } current ? [new ActivityLink(current.Context)] : null);
        return Source.StartActivity(name, kind);
    }

    /// <summary>
    /// <see cref="StartJobActivity(string, string?, ActivityKind)"/> tagged with its job (the id as every key and log
    /// line writes it, 32 hex digits), tenant and, for a frame's step, the frame.
    /// </summary>
    public static Activity? StartJobActivity(string name, Guid jobId, string tenant, string? jobTraceParent, int? frame = null,
        ActivityKind kind = ActivityKind.Internal)
    {
        var activity = StartJobActivity(name, jobTraceParent, kind);
        activity?.SetTag(Tags.JobId, jobId.ToString("N")).SetTag(Tags.Tenant, tenant);
        if (frame is { } index)
            activity?.SetTag(Tags.Frame, index);
        return activity;
    }
}
