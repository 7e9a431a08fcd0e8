using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Api.Apis;

/// <summary>
/// A job as the API shows it: state, progress, an ETA, time queued (submitted → the coordinator took it)
/// and running (→ finished, or so far), and the error if any.
/// </summary>
public sealed record JobView(
    Guid Id, string Tenant, string State, string Model, string Format,
    int FramesDone, int FramesTotal, int TilesDone, int TilesTotal, double Percent, double? EtaSeconds,
    double? QueuedSeconds, double? RunningSeconds, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt)
{
    public static JobView Of(JobRecord job, long nowMs)
    {
        var percent = job.State == JobState.Completed ? 100.0
            : job.TilesTotal == 0 ? 0.0 : Math.Round(100.0 * job.TilesDone / job.TilesTotal, 1);
        double? running = job.PlannedMs is { } started ? ((job.FinishedMs ?? nowMs) - started) / 1000.0 : null;
        // Remaining tiles at the rate so far; unknown until a tile is done.
        double? eta = job.State == JobState.Running && job.TilesDone > 0 && running is { } spent
            ? Math.Round(spent * (job.TilesTotal - job.TilesDone) / job.TilesDone, 1)
            : null;
        return new JobView(job.JobId, job.Tenant, job.State, job.Model, job.Format, job.FramesDone, job.FramesTotal, job.TilesDone, job.TilesTotal,
            percent, eta, job.PlannedMs is { } p ? (p - job.CreatedMs) / 1000.0 : null, running, job.Error,
            DateTimeOffset.FromUnixTimeMilliseconds(job.CreatedMs), job.FinishedMs is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null);
    }
}
