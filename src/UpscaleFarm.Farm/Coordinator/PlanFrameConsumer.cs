using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Plans one frame: cuts its tiles into the object store and records them in the job store, from where the
/// <see cref="TileDispatcher"/> sends them to the workers in priority order. Run again (a redelivery, a
/// restart), it plans nothing twice, and announces the frame ready if no tile is left.
/// A source that cannot be read fails the job with the reason instead of being retried.
/// </summary>
public sealed class PlanFrameConsumer(IJobStore store, JobLifecycle lifecycle, FramePlanner planner, TileDispatchSignal dispatch) : IConsumer<PlanFrame>
{
    public async Task Consume(ConsumeContext<PlanFrame> context)
    {
        var (jobId, frameIndex) = (context.Message.JobId, context.Message.Frame);
        var job = await store.GetJobAsync(jobId, context.CancellationToken);
        var frame = await store.GetFrameAsync(jobId, frameIndex, context.CancellationToken);
        if (job is null || frame is null || JobState.IsFinal(job.State) || frame.State == FrameState.Assembled)
            return;

        IReadOnlyList<TileRecord>? tiles = null;
        if (frame.State == FrameState.Pending)
        {
            using var activity = FarmTelemetry.StartJobActivity("plan frame", job.TraceParent);
            activity?.SetTag(FarmTelemetry.Tags.JobId, job.Id).SetTag(FarmTelemetry.Tags.Tenant, job.Tenant).SetTag(FarmTelemetry.Tags.Frame, frameIndex);
            try
            {
                var (planned, plannedTiles) = await planner.PlanAsync(job, frame, context.CancellationToken);
                activity?.SetTag(FarmTelemetry.Tags.Tiles, plannedTiles.Count);
                // False when another coordinator saved this frame's plan first: then its rows are read below.
                if (await store.SaveFramePlanAsync(planned, plannedTiles, context.CancellationToken))
                    (frame, tiles) = (planned, plannedTiles);
                else
                    frame = await store.GetFrameAsync(jobId, frameIndex, context.CancellationToken) ?? frame;
            }
            catch (ImageInputException e)
            {
                await lifecycle.FailAsync(jobId, PublicErrors.Scrub(e.Message), context.CancellationToken);
                return;
            }
        }

        // Derived from the store on every delivery, and published before this message is acknowledged: a redelivery
        // after a crash sends it again, so it needs no outbox.
        tiles ??= await store.GetTilesAsync(jobId, frameIndex, context.CancellationToken);
        if (tiles.All(t => t.State != TileState.Pending))
            await context.Publish(new FrameReady(jobId, frameIndex));
        else
            dispatch.Notify();
    }
}
