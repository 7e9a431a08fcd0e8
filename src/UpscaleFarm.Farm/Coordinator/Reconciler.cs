using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Re-drives work whose next message never came. Every Coordinator:ReconcileIntervalSeconds it makes claimable again
/// the tiles claimed for the queue but never started (a dispatcher that died between claim and send: TileJob sends
/// do not go through the outbox), and finds what has waited longer than Coordinator:StalledAfterSeconds
/// (<see cref="IDispatchStore.FindStalledAsync"/>) and sends its message again: JobSubmitted for a job never started,
/// FrameReady for a frame whose tiles are all done, the mux or the completion for a job whose frames are all assembled.
/// The outbox (<see cref="JobLifecycle"/>) commits those messages with their state changes, so this is the safety
/// net for what it cannot cover: a database an earlier build left in a crash window, and messages a transport lost
/// after accepting them (the in-memory bus of a process that died). Each of those steps is idempotent, so a message
/// sent twice (two coordinators, or a slow step mistaken for a lost one) does no harm.
/// </summary>
public sealed class Reconciler(IDispatchStore store, IJobQueries queries, JobLifecycle lifecycle, IBus bus, TileDispatchSignal dispatch, IOptions<FarmOptions> options, TileQueueProbe tileQueue,
    ILogger<Reconciler> logger)
    : BackgroundService
{
    private const int Limit = 200;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var coordinator = options.Value.Coordinator;
        while (!stopping.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, coordinator.ReconcileIntervalSeconds)), stopping);
            try
            {
                await ReconcileAsync(Clock.NowMs - coordinator.StalledAfterSeconds * 1000L, stopping);
                await ReleaseUnsentTilesAsync(Clock.NowMs - coordinator.EmptyQueueReleaseSeconds * 1000L, stopping);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reconciling stalled work failed; it runs again in {Seconds} s", coordinator.ReconcileIntervalSeconds);
            }
        }
    }

    /// <summary>
    /// Tiles claimed before <paramref name="claimedBeforeMs"/>, never started, while the broker's tile queue holds none
    /// ready, cannot be waiting in it: their dispatcher died between claiming and sending them (a SIGKILLed
    /// coordinator). They are released now rather than after StalledAfterSeconds, so the job's last tiles do not
    /// wait ten minutes. (A worker takes only as many tiles as it works on, so a delivered tile starts within
    /// moments; one misjudged is sent twice and costs at most one more attempt.)
    /// </summary>
    private async Task ReleaseUnsentTilesAsync(long claimedBeforeMs, CancellationToken cancellation)
    {
        if (await tileQueue.ReadyTilesAsync(cancellation) is not 0)
            return;
        var released = await store.ReleaseUnstartedTilesAsync(claimedBeforeMs, cancellation);
        if (released > 0)
        {
            logger.LogWarning("{Count} tiles were claimed but are in no queue (the tile queue is empty); they are dispatched again", released);
            dispatch.Notify();
        }
    }

    /// <returns>How many steps were sent again.</returns>
    public async Task<int> ReconcileAsync(long stalledBeforeMs, CancellationToken cancellation)
    {
        var released = await store.ReleaseUnstartedTilesAsync(stalledBeforeMs, cancellation);
        if (released > 0)
        {
            logger.LogWarning("{Count} tiles were claimed for the queue but never started; they are dispatched again", released);
            dispatch.Notify();
        }
        var stalled = await store.FindStalledAsync(stalledBeforeMs, Limit, cancellation);
        foreach (var jobId in stalled.QueuedJobs)
        {
            if (await queries.GetJobAsync(jobId, cancellation) is { } job && job.State == JobState.Queued)
            {
                logger.LogWarning("Job {JobId} was never started; submitting it again", jobId);
                await bus.Publish(new JobSubmitted(jobId, job.Tenant, job.FramesTotal, DateTimeOffset.UtcNow), cancellation);
            }
        }
        foreach (var (jobId, frame) in stalled.CompleteFrames)
        {
            logger.LogWarning("Frame {Frame} of job {JobId} has all its tiles but was never assembled; announcing it again", frame, jobId);
            await bus.Publish(new FrameReady(jobId, frame), cancellation);
        }
        foreach (var jobId in stalled.AssembledJobs)
        {
            if (await queries.GetJobAsync(jobId, cancellation) is { } job && job.State == JobState.Running)
            {
                logger.LogWarning("Job {JobId} has every frame assembled but was never completed; completing it", jobId);
                await lifecycle.CompleteAssembledJobAsync(job, cancellation);
            }
        }
        return released + stalled.Count;
    }
}
