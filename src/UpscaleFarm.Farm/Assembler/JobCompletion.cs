using MassTransit;
using Microsoft.Extensions.Logging;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// What follows a job's last assembled frame, in one place for the assembler and the reconciler: a video
/// job goes on to its mux; any other job completes once, announcing its results.
/// </summary>
public static class JobCompletion
{
    public static async Task AfterLastFrameAsync(IJobStore store, IPublishEndpoint publish, JobRecord job, ILogger logger, CancellationToken cancellation)
    {
        if (job.VideoKey is not null)
        {
            // The mux is idempotent: sending it twice encodes the same result and completes the job once.
            await publish.Publish(new MuxVideo(job.JobId), cancellation);
            return;
        }
        if (await store.CompleteJobAsync(job.JobId, null, Clock.NowMs, cancellation))
        {
            var results = (await store.GetFramesAsync(job.JobId, cancellation)).Select(f => f.ResultKey!).ToList();
            await publish.Publish(new JobCompleted(job.JobId, results, DateTimeOffset.UtcNow), cancellation);
            logger.LogInformation("Job {JobId} completed: {Frames} frames", job.JobId, results.Count);
        }
    }
}
