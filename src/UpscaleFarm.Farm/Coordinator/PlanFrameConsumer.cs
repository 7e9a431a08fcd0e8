using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Plans one frame and publishes its tiles. Run again (a redelivery, a restart), it plans nothing twice:
/// it republishes only the frame's unfinished tiles, or announces the frame ready if none are left.
/// A source that cannot be read fails the job with the reason instead of being retried.
/// </summary>
public sealed class PlanFrameConsumer(IJobStore store, FramePlanner planner) : IConsumer<PlanFrame>
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
            try
            {
                var (planned, plannedTiles) = await planner.PlanAsync(job, frame, context.CancellationToken);
                // False when another coordinator saved this frame's plan first: then its rows are read below.
                if (await store.SaveFramePlanAsync(planned, plannedTiles, context.CancellationToken))
                    (frame, tiles) = (planned, plannedTiles);
                else
                    frame = await store.GetFrameAsync(jobId, frameIndex, context.CancellationToken) ?? frame;
            }
            catch (ImageInputException e)
            {
                if (await store.FinishJobAsync(jobId, JobState.Failed, e.Message, Clock.NowMs, context.CancellationToken))
                    await context.Publish(new JobFailed(jobId, e.Message, DateTimeOffset.UtcNow));
                return;
            }
        }

        tiles ??= await store.GetTilesAsync(jobId, frameIndex, context.CancellationToken);
        var pending = tiles.Where(t => t.State == TileState.Pending).ToList();
        if (pending.Count == 0)
        {
            await context.Publish(new FrameReady(jobId, frameIndex));
            return;
        }
        var outputBands = frame.IsGray == 1 ? 1 : 3;
        await context.PublishBatch(pending.Select(t => new TileJob(jobId, frameIndex, t.Tile, job.Model,
            FarmKeys.TileInput(job.Tenant, jobId, frameIndex, t.Tile),
            FarmKeys.TileOutput(job.Tenant, jobId, frameIndex, t.Tile),
            new TileGeometry(t.InputX, t.InputY, t.InputWidth, t.InputHeight, t.CoreX, t.CoreY, t.CoreWidth, t.CoreHeight),
            t.Plane == 0 ? outputBands : 1)));
    }
}
