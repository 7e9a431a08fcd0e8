using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Imaging;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Plans one frame: records its plan and tiles in the job store from the source's header, then cuts the tiles into the
/// object store row by row, making each row dispatchable as soon as it is there (<see cref="TileRecord.Cut"/>), so the
/// <see cref="TileDispatcher"/> sends the first tiles to the workers while the rest are still being cut. Run again (a
/// redelivery after a coordinator died mid-cut, a restart), it plans nothing twice, cuts the tiles not yet cut, and
/// announces the frame ready if no tile is left. A source that cannot be read fails the job with the reason instead of
/// being retried.
/// </summary>
public sealed class PlanFrameConsumer(IJobQueries store, IPlanStore plans, JobLifecycle lifecycle, FramePlanner planner, TileDispatchSignal dispatch) : IConsumer<PlanFrame>
{
    public async Task Consume(ConsumeContext<PlanFrame> context)
    {
        var (jobId, frameIndex) = (context.Message.JobId, context.Message.Frame);
        var cancellation = context.CancellationToken;
        var job = await store.GetJobAsync(jobId, cancellation);
        var frame = await store.GetFrameAsync(jobId, frameIndex, cancellation);
        if (job is null || frame is null || job.State.IsFinal || frame.State == FrameState.Assembled)
            return;

        var tiles = frame.State == FrameState.Pending ? null : await store.GetTilesAsync(jobId, frameIndex, cancellation);
        if (tiles is null || tiles.Any(Uncut))
        {
            using var activity = FarmTelemetry.StartJobActivity("plan frame", job.Id, job.Tenant, job.TraceParent, frameIndex);
            try
            {
                using var opened = await planner.OpenAsync(job, frame, cancellation);
                activity?.SetTag(FarmTelemetry.Tags.Tiles, opened.Tiles.Count);
                // The plan is saved before anything is cut; false when another coordinator (or an earlier delivery) saved it
                // first: then the tiles still uncut in the store are the ones to cut.
                if (tiles is null && !await plans.SaveFramePlanAsync(opened.Frame, opened.Tiles, cancellation))
                    tiles = await store.GetTilesAsync(jobId, frameIndex, cancellation);
                if (!await CutAsync(job, opened, (tiles ?? opened.Tiles).Where(Uncut).ToList(), cancellation))
                    return;
            }
            catch (ImageInputException e)
            {
                await lifecycle.FailAsync(jobId, PublicErrors.Scrub(e.Message), cancellation);
                return;
            }
            tiles = await store.GetTilesAsync(jobId, frameIndex, cancellation);
        }

        // Derived from the store on every delivery, and published before this message is acknowledged: a redelivery
        // after a crash sends it again, so it needs no outbox.
        if (tiles.All(t => t.State != TileState.Pending))
            await context.Publish(new FrameReady(jobId, frameIndex));
        else
            dispatch.Notify();
    }

    /// <summary>Cuts the tiles, marking each row cut and waking the dispatcher as it is done; false if the job ended meanwhile.</summary>
    private async Task<bool> CutAsync(JobRecord job, OpenedFrame opened, IReadOnlyList<TileRecord> uncut, CancellationToken cancellation)
    {
        await foreach (var row in planner.CutAsync(job, opened, uncut, cancellation))
        {
            await plans.MarkTilesCutAsync(job.Id, opened.Frame.Frame, row.Select(t => t.Tile).ToList(), cancellation);
            dispatch.Notify();
            // A cancelled or failed job's remaining tiles would only be dropped by the workers: stop cutting them.
            if (await store.GetJobAsync(job.Id, cancellation) is not { } current || current.State != JobState.Running)
                return false;
        }
        return true;
    }

    private static bool Uncut(TileRecord tile) => !tile.Cut && tile.State == TileState.Pending;
}
