using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// A job as the API shows it: state, progress, an ETA, the error if any, and its time in each stage
/// (so far, while running): queued (submitted → the coordinator took it), planning (→ its first tile
/// started), tiles (→ its last tile finished) and assembly (→ finished, a video's encoding included);
/// running is the last three together. Stages are given where the tile times were read (a single job,
/// not a listing).
/// </summary>
public sealed record JobView(
    Guid Id, string Tenant, string State, string Model, string Format, int Priority,
    int FramesDone, int FramesTotal, int TilesDone, int TilesTotal, double Percent, double? EtaSeconds,
    double? QueuedSeconds, double? RunningSeconds, double? PlanningSeconds, double? TilesSeconds, double? AssemblySeconds,
    string? Error, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    public static JobView Of(JobRecord job, long nowMs, TileSpan? tiles = null)
    {
        var percent = job.State == JobState.Completed ? 100.0
            : job.TilesTotal == 0 ? 0.0 : Math.Round(100.0 * job.TilesDone / job.TilesTotal, 1);
        double? running = job.PlannedMs is { } started ? ((job.FinishedMs ?? nowMs) - started) / 1000.0 : null;
        // Remaining tiles at the rate so far; unknown until a tile is done.
        double? eta = job.State == JobState.Running && job.TilesDone > 0 && running is { } spent
            ? Math.Round(spent * (job.TilesTotal - job.TilesDone) / job.TilesDone, 1)
            : null;
        var end = job.FinishedMs ?? nowMs;
        double? Between(long? from, long? to) => from is { } a && to is { } b ? Math.Max(0, b - a) / 1000.0 : null;
        var tilesEnd = job.TilesDone == job.TilesTotal && job.TilesTotal > 0 ? tiles?.LastFinishedMs : end;
        return new JobView(job.Id, job.Tenant, job.State.Name, job.Model, job.Options.Format, job.Priority, job.FramesDone, job.FramesTotal, job.TilesDone, job.TilesTotal,
            percent, eta, job.PlannedMs is { } p ? (p - job.CreatedMs) / 1000.0 : null, running,
            Between(job.PlannedMs, tiles?.FirstStartedMs ?? (tiles is null ? null : end)), Between(tiles?.FirstStartedMs, tilesEnd),
            tilesEnd == end ? null : Between(tilesEnd, end), job.Error is { } error ? PublicErrors.Scrub(error) : null,
            DateTimeOffset.FromUnixTimeMilliseconds(job.CreatedMs), job.FinishedMs is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);
    }
}
