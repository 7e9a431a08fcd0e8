using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Restarts unfinished jobs from the job store when the coordinator starts, for transports whose queues
/// do not outlive the process (the in-memory one). Every frame that is not assembled is planned again,
/// and the dispatcher sends every unfinished tile again (finished tiles are kept). A video job whose frames were not yet
/// cut needs nothing: its cut waits in the job store for the <see cref="VideoCutService"/>.
/// </summary>
public sealed class ResumeService(IJobQueries store, IBus bus, ILogger<ResumeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var job in await store.GetUnfinishedJobsAsync(stoppingToken))
        {
            if (job.State == JobState.Queued)
            {
                await bus.Publish(new JobSubmitted(job.Id, job.Tenant, job.FramesTotal, DateTimeOffset.UtcNow), stoppingToken);
                continue;
            }
            var frames = (await store.GetFramesAsync(job.Id, stoppingToken)).Where(f => f.State != FrameState.Assembled).ToList();
            if (frames.Count == 0 && job.VideoKey is not null)
            {
                // Every frame was assembled; the video was not yet encoded.
                await bus.Publish(new MuxVideo(job.Id), stoppingToken);
                continue;
            }
            logger.LogInformation("Resuming job {JobId}: {Frames} frames to finish, {Done}/{Total} tiles done", job.Id, frames.Count, job.TilesDone, job.TilesTotal);
            foreach (var frame in frames)
                await bus.Publish(new PlanFrame(job.Id, frame.Frame), stoppingToken);
        }
    }
}
