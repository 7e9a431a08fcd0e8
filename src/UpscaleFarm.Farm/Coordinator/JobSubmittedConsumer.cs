using MassTransit;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Starts a job: marks it running and hands each frame to the planner as its own message. The frames to plan are
/// read from the store on every delivery and published before JobSubmitted is acknowledged, so a crash after the
/// start commits is redelivered and sends them then: they need no outbox.
/// </summary>
public sealed class JobSubmittedConsumer(IJobQueries store, IPlanStore plans) : IConsumer<JobSubmitted>
{
    public async Task Consume(ConsumeContext<JobSubmitted> context)
    {
        var jobId = context.Message.JobId;
        await plans.StartJobAsync(jobId, Clock.NowMs, context.CancellationToken);
        var job = await store.GetJobAsync(jobId, context.CancellationToken);
        if (job is null || JobState.IsFinal(job.State))
            return;
        var frames = await store.GetFramesAsync(jobId, context.CancellationToken);
        await context.PublishBatch(frames.Where(f => f.State != FrameState.Assembled).Select(f => new PlanFrame(jobId, f.Frame)));
    }
}
