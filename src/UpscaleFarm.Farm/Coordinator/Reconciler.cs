using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Assembler;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Re-drives work whose next message was lost: a state change is committed before the message it implies
/// is published, and a process that dies (or a publish that fails) in between leaves nothing to carry the
/// job on. Every Coordinator:ReconcileIntervalSeconds it finds what has waited longer than
/// Coordinator:StalledAfterSeconds (<see cref="IJobStore.FindStalledAsync"/>) and sends the message again:
/// JobSubmitted for a job never started, FrameReady for a frame whose tiles are all done, the mux or the
/// completion for a job whose frames are all assembled; and tiles claimed for the queue but never started
/// (a dispatcher that died between claim and send) are made claimable again. Each of those steps is idempotent, so a message
/// sent twice (two coordinators, or a slow step mistaken for a lost one) does no harm.
/// </summary>
public sealed class Reconciler(IJobStore store, IBus bus, TileDispatchSignal dispatch, IOptions<FarmOptions> options, ILogger<Reconciler> logger)
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
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reconciling stalled work failed; it runs again in {Seconds} s", coordinator.ReconcileIntervalSeconds);
            }
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
            if (await store.GetJobAsync(jobId, cancellation) is { State: JobState.Queued } job)
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
            if (await store.GetJobAsync(jobId, cancellation) is { State: JobState.Running } job)
            {
                logger.LogWarning("Job {JobId} has every frame assembled but was never completed; completing it", jobId);
                await JobCompletion.AfterLastFrameAsync(store, bus, job, logger, cancellation);
            }
        }
        return released + stalled.Count;
    }
}
