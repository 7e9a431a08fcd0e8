using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Outbox;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Lifecycle;

/// <summary>
/// The one place where jobs, frames and tiles change state together with the messages those changes imply. Each
/// change and its message are committed in one job-store transaction, the message into the outbox, and the
/// <see cref="OutboxRelay"/> publishes it after the commit: no process can die, and no broker refuse a publish, between
/// a committed change and its message, which waits in the job store until a relay has sent it (this process's, woken
/// at once, or any other's at its next poll). Every change is a conditional update, so a repeated call (a redelivered
/// message) changes nothing and writes no second message.
/// <para>
/// Not here, on purpose: the tile dispatcher's TileJob sends (one per tile, the farm's highest volume; tiles claimed
/// but never sent are released by the reconciler), and PlanFrame and a planned frame's FrameReady, which their
/// consumers derive from the job store on every delivery of the message that causes them, and publish before that
/// message is acknowledged, so a redelivery sends them again.
/// </para>
/// </summary>
public sealed class JobLifecycle(IJobTransactions store, OutboxSignal outbox, FarmDiagnostics diagnostics, ILogger<JobLifecycle> logger)
{
    /// <summary>Records a job and its frames, with the JobSubmitted that hands it to the coordinator.</summary>
    public Task CreateAsync(JobRecord job, IReadOnlyList<FrameSource> frames, CancellationToken cancellation = default) =>
        ChangeAsync(async changes =>
        {
            await changes.CreateJobAsync(job, frames);
            await changes.EnqueueAsync(new JobSubmitted(job.Id, job.Tenant, job.FramesTotal, DateTimeOffset.UtcNow), Clock.NowMs);
            return true;
        }, FarmDiagnostics.JobCreated, cancellation);

    /// <summary>
    /// Records a video job, without frames: its source waits to be cut into them by a coordinator
    /// (<see cref="Coordinator.VideoCutService"/>) once the JobSubmitted committed with it has started the job, so no
    /// request waits for a video to be decoded.
    /// </summary>
    public Task CreateVideoAsync(JobRecord job, VideoCut cut, CancellationToken cancellation = default) =>
        ChangeAsync(async changes =>
        {
            await changes.CreateJobAsync(job, []);
            await changes.AddVideoCutAsync(cut);
            await changes.EnqueueAsync(new JobSubmitted(job.Id, job.Tenant, job.FramesTotal, DateTimeOffset.UtcNow), Clock.NowMs);
            return true;
        }, FarmDiagnostics.JobCreated, cancellation);

    /// <summary>
    /// Records the frames cut from a video job's video (<see cref="Coordinator.VideoCutter"/>), with a JobSubmitted that
    /// sends them to be planned; false, sending nothing, when they were recorded already or the job ended.
    /// </summary>
    public Task<bool> RecordVideoFramesAsync(JobRecord job, IReadOnlyList<FrameSource> frames, long reservedBytes, CancellationToken cancellation = default) =>
        ChangeAsync(async changes =>
        {
            if (!await changes.RecordVideoFramesAsync(job.Id, frames, reservedBytes))
                return false;
            await changes.EnqueueAsync(new JobSubmitted(job.Id, job.Tenant, frames.Count, DateTimeOffset.UtcNow), Clock.NowMs);
            return true;
        }, checkpoint: null, cancellation);

    /// <summary>
    /// Counts many finished packs in one transaction (a batch of TileCompleted): each pack's tiles once, and each frame they
    /// complete announced (FrameReady) with the count.
    /// </summary>
    public Task CompletePacksAsync(IReadOnlyList<PackCompletion> packs, CancellationToken cancellation = default) =>
        ChangeAsync(async changes =>
        {
            var now = Clock.NowMs;
            foreach (var (jobId, frame) in await changes.CompletePacksAsync(packs, now))
                await changes.EnqueueAsync(new FrameReady(jobId, frame), now);
            return true;
        }, FarmDiagnostics.FrameTilesCounted, cancellation);

    /// <summary>
    /// Records an assembled frame. With the job's last frame, in the same commit, a video job goes on to its mux
    /// (MuxVideo) and any other job completes (JobCompleted). True for that last frame, once.
    /// </summary>
    public async Task<bool> CompleteFrameAsync(JobRecord job, int frame, string resultKey, CancellationToken cancellation = default)
    {
        var (last, completedFrames) = await ChangeAsync(async changes =>
        {
            var now = Clock.NowMs;
            if (!await changes.CompleteFrameAsync(job.Id, frame, resultKey, now))
                return (false, (int?)null);
            return (true, await AfterLastFrameAsync(changes, job, now));
        }, FarmDiagnostics.LastFrameAssembled, cancellation);
        LogCompleted(job.Id, completedFrames);
        return last;
    }

    /// <summary>
    /// What follows a job's last assembled frame, for a running job whose frames are all assembled but which never went
    /// on (the reconciler finds such jobs in a database an earlier build left after a crash): its mux or its completion.
    /// </summary>
    public async Task CompleteAssembledJobAsync(JobRecord job, CancellationToken cancellation = default) =>
        LogCompleted(job.Id, await ChangeAsync(changes => AfterLastFrameAsync(changes, job, Clock.NowMs), checkpoint: null, cancellation));

    /// <summary>Completes a video job with its encoded result (JobCompleted); true for the one call that does.</summary>
    public Task<bool> CompleteVideoAsync(Guid jobId, string resultKey, CancellationToken cancellation = default) =>
        ChangeAsync(async changes =>
        {
            var now = Clock.NowMs;
            if (!await changes.CompleteJobAsync(jobId, resultKey, now))
                return false;
            await changes.EnqueueAsync(new JobCompleted(jobId, [resultKey], DateTimeOffset.UtcNow), now);
            return true;
        }, checkpoint: null, cancellation);

    /// <summary>Fails an unfinished job with a reason meant for its owner (JobFailed); false if it had already finished.</summary>
    public Task<bool> FailAsync(Guid jobId, string reason, CancellationToken cancellation = default) =>
        EndAsync(jobId, JobState.Failed, reason, new JobFailed(jobId, reason, DateTimeOffset.UtcNow), cancellation);

    /// <summary>Cancels an unfinished job (JobCancelled); its workers drop its remaining tiles. False if it had already finished.</summary>
    public Task<bool> CancelAsync(Guid jobId, CancellationToken cancellation = default) =>
        EndAsync(jobId, JobState.Cancelled, "cancelled by its owner", new JobCancelled(jobId, DateTimeOffset.UtcNow), cancellation);

    /// <returns>The job's frame count if it completed here; null if it went on to its mux, or was no longer running.</returns>
    private static async Task<int?> AfterLastFrameAsync(IJobTransaction changes, JobRecord job, long now)
    {
        if (job.VideoKey is not null)
        {
            // The mux is idempotent: sent twice, it encodes the same result and completes the job once.
            await changes.EnqueueAsync(new MuxVideo(job.Id), now);
            return null;
        }
        // False when the job was cancelled or failed meanwhile: it ends as that, with that message.
        if (!await changes.CompleteJobAsync(job.Id, null, now))
            return null;
        var results = (await changes.GetFramesAsync(job.Id)).Select(f => f.ResultKey!).ToList();
        await changes.EnqueueAsync(new JobCompleted(job.Id, results, DateTimeOffset.UtcNow), now);
        return results.Count;
    }

    private Task<bool> EndAsync(Guid jobId, JobState state, string reason, object message, CancellationToken cancellation) =>
        ChangeAsync(async changes =>
        {
            var now = Clock.NowMs;
            if (!await changes.FinishJobAsync(jobId, state, reason, now))
                return false;
            await changes.EnqueueAsync(message, now);
            return true;
        }, checkpoint: null, cancellation);

    private void LogCompleted(Guid jobId, int? frames)
    {
        if (frames is { } count)
            logger.LogInformation("Job {JobId} completed: {Frames} frames", jobId, count);
    }

    /// <summary>Commits <paramref name="change"/> with the messages it writes, then wakes this process's relay if it wrote any.</summary>
    private async Task<T> ChangeAsync<T>(Func<IJobTransaction, Task<T>> change, string? checkpoint, CancellationToken cancellation)
    {
        var (result, enqueued) = await store.TransactAsync(async changes => (await change(changes), changes.Enqueued), cancellation);
        if (enqueued > 0)
        {
            // The crash window the outbox closes: committed, and no relay woken.
            if (checkpoint is not null)
                diagnostics.Committed(checkpoint);
            outbox.Notify();
        }
        return result;
    }
}
