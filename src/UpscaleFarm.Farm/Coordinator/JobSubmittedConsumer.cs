using MassTransit;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Starts a job: marks it running, cuts a video job's video into its frames first (<see cref="VideoCutter"/>: the
/// submission only stored it), and hands each frame to the planner as its own message. The frames to plan are read
/// from the store on every delivery and published before JobSubmitted is acknowledged, so a crash after the start
/// commits is redelivered and sends them then: they need no outbox. A video that turns out unreadable, or over the
/// tenant's limits, fails the job with the reason.
/// </summary>
public sealed class JobSubmittedConsumer(IJobQueries store, IPlanStore plans, IVideoCutStore cuts, VideoCutter cutter, JobLifecycle lifecycle,
    ILogger<JobSubmittedConsumer> logger)
    : IConsumer<JobSubmitted>
{
    public async Task Consume(ConsumeContext<JobSubmitted> context)
    {
        var jobId = context.Message.JobId;
        await plans.StartJobAsync(jobId, Clock.NowMs, context.CancellationToken);
        var job = await store.GetJobAsync(jobId, context.CancellationToken);
        if (job is null || JobState.IsFinal(job.State))
            return;
        if (await cuts.GetVideoCutAsync(jobId, context.CancellationToken) is { } cut)
        {
            using var activity = FarmTelemetry.StartJobActivity("cut video", job.Id, job.Tenant, job.TraceParent);
            try
            {
                await cutter.CutAsync(job, cut, context.CancellationToken);
            }
            catch (VideoException e)
            {
                // e.Message is fixed text for the tenant; e.Detail (ffmpeg's stderr, with this server's paths) is for the operator.
                logger.LogWarning("Job {JobId}: its video could not be cut: {Reason} ({Detail})", jobId, e.Message, e.Detail);
                await lifecycle.FailAsync(jobId, e.Message, context.CancellationToken);
                return;
            }
        }
        var frames = await store.GetFramesAsync(jobId, context.CancellationToken);
        await context.PublishBatch(frames.Where(f => f.State != FrameState.Assembled).Select(f => new PlanFrame(jobId, f.Frame)));
    }
}
