using MassTransit;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Assembles a frame whose tiles are all counted, records it, completes the job with its last frame
/// (a video job goes on to <see cref="VideoMuxConsumer"/>; <see cref="JobLifecycle.CompleteFrameAsync"/>), and removes the
/// frame's tile objects. Assembling twice (a redelivery) writes the same result again and counts the frame once.
/// </summary>
public sealed class FrameReadyConsumer(IJobStore store, JobLifecycle lifecycle, FrameAssembler assembler, IObjectStore objects,
    ILogger<FrameReadyConsumer> logger)
    : IConsumer<FrameReady>
{
    public async Task Consume(ConsumeContext<FrameReady> context)
    {
        var (jobId, frameIndex) = (context.Message.JobId, context.Message.Frame);
        var job = await store.GetJobAsync(jobId, context.CancellationToken);
        var frame = await store.GetFrameAsync(jobId, frameIndex, context.CancellationToken);
        if (job is null || frame is null || JobState.IsFinal(job.State) || frame.State != FrameState.Planned)
            return;
        var tiles = await store.GetTilesAsync(jobId, frameIndex, context.CancellationToken);
        if (tiles.Any(t => t.State != TileState.Done))
            return;

        string resultKey;
        using (var activity = FarmTelemetry.StartJobActivity("assemble frame", job.TraceParent))
        {
            activity?.SetTag(FarmTelemetry.Tags.JobId, job.Id).SetTag(FarmTelemetry.Tags.Tenant, job.Tenant)
                .SetTag(FarmTelemetry.Tags.Frame, frameIndex).SetTag(FarmTelemetry.Tags.Tiles, tiles.Count);
            resultKey = await assembler.AssembleAsync(job, frame, tiles, context.CancellationToken);
        }
        await lifecycle.CompleteFrameAsync(job, frameIndex, resultKey, context.CancellationToken);
        await DeleteTilesAsync(job, frameIndex);
    }

    private async Task DeleteTilesAsync(JobRecord job, int frame)
    {
        try
        {
            await foreach (var key in objects.ListAsync(FarmKeys.TilesOfFrame(job.Tenant, job.JobId, frame)))
                await objects.DeleteAsync(key);
        }
        catch (Exception e)
        {
            // The result is safe; leftover tiles only cost space and are listed under the job's prefix.
            logger.LogWarning(e, "Could not remove the tiles of frame {Frame} of job {JobId}", frame, job.JobId);
        }
    }
}
