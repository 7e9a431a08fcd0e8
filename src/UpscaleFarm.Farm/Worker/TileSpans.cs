using System.Diagnostics;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// One stage of a pack of tiles (<see cref="TileJob"/>) on a worker as a span of the job's trace and a point of the stage-time histogram
/// (<c>upscalefarm.tile.duration</c>, tag stage = queue | download | inference | upload).
/// </summary>
internal sealed class TileSpans : IDisposable
{
    private readonly Activity? _activity;
    private readonly string _stage;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private TileSpans(Activity? activity, string stage) => (_activity, _stage) = (activity, stage);

    public TimeSpan Elapsed => _clock.Elapsed;

    public static TileSpans Start(string name, TileJob tile) =>
        new(Tagged(FarmTelemetry.Source.StartActivity(name), tile), name.Split(' ')[0]);

    /// <summary>The time the tile waited between being sent and being taken, as a span ending now.</summary>
    public static void QueueWait(TileJob tile, DateTime? sentTime)
    {
        var now = DateTime.UtcNow;
        if (sentTime is not { } sent || sent > now)
            return;
        using var activity = Tagged(FarmTelemetry.Source.StartActivity("tile queue wait", ActivityKind.Consumer, default(ActivityContext), startTime: sent), tile);
        FarmTelemetry.TileDuration.Record((now - sent).TotalSeconds, new KeyValuePair<string, object?>(FarmTelemetry.Tags.Stage, "queue"));
    }

    public void Bytes(long bytes) => _activity?.SetTag(FarmTelemetry.Tags.Bytes, bytes);

    public void Inference(string device, int batchSize)
    {
        _activity?.SetTag(FarmTelemetry.Tags.ExecutionProvider, device);
        _activity?.SetTag(FarmTelemetry.Tags.BatchSize, batchSize);
    }

    private static Activity? Tagged(Activity? activity, TileJob tile) => activity?
        .SetTag(FarmTelemetry.Tags.JobId, tile.JobId.ToString("N"))
        .SetTag(FarmTelemetry.Tags.Tenant, tile.Tenant)
        .SetTag(FarmTelemetry.Tags.Frame, tile.Frame)
        .SetTag(FarmTelemetry.Tags.Tile, tile.Tile)
        .SetTag(FarmTelemetry.Tags.Tiles, tile.Tiles.Count)
        .SetTag(FarmTelemetry.Tags.Model, tile.Model);

    public void Dispose()
    {
        FarmTelemetry.TileDuration.Record(_clock.Elapsed.TotalSeconds, new KeyValuePair<string, object?>(FarmTelemetry.Tags.Stage, _stage));
        _activity?.Dispose();
    }
}
