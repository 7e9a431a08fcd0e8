using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Starts a job: marks it running and hands each frame to the planner as its own message. A video job's video is cut
/// into its frames first, by the <see cref="VideoCutService"/> (the submission only stored it), which records them
/// with another JobSubmitted: until then the job has no frames and this only wakes the cutter. The frames to plan are
/// read from the store on every delivery and published before JobSubmitted is acknowledged, so a crash after the start
/// commits is redelivered and sends them then: they need no outbox.
/// </summary>
public sealed class JobSubmittedConsumer(IJobQueries store, IPlanStore plans, IVideoCutStore cuts, VideoCutSignal videoCuts) : IConsumer<JobSubmitted>
{
    public async Task Consume(ConsumeContext<JobSubmitted> context)
    {
        var jobId = context.Message.JobId;
        await plans.StartJobAsync(jobId, Clock.NowMs, context.CancellationToken);
        var job = await store.GetJobAsync(jobId, context.CancellationToken);
        if (job is null || job.State.IsFinal)
            return;
        if (await cuts.GetVideoCutAsync(jobId, context.CancellationToken) is not null)
        {
            videoCuts.Notify();
            return;
        }
        var frames = await store.GetFramesAsync(jobId, context.CancellationToken);
        await context.PublishBatch(frames.Where(f => f.State != FrameState.Assembled).Select(f => new PlanFrame(jobId, f.Frame)));
    }
}
