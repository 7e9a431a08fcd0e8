using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Storage;
using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// The last step of a video job: its upscaled frames are encoded into a video with the source's audio,
/// subtitles and timing, stored as the job's result, and the job completes. Encoding again after a
/// redelivery writes the same key and completes the job once.
/// </summary>
public sealed class VideoMuxConsumer(IJobQueries store, JobLifecycle lifecycle, IObjectStore objects, IOptions<FarmOptions> options,
    ILogger<VideoMuxConsumer> logger)
    : IConsumer<MuxVideo>
{
    public async Task Consume(ConsumeContext<MuxVideo> context)
    {
        var cancellation = context.CancellationToken;
        if (await store.GetJobAsync(context.Message.JobId, cancellation) is not { VideoKey: { } videoKey } job || job.State != JobState.Running)
            return;
        if (!Ffmpeg.ResourceLimitsApplied)
            logger.LogWarning("Job {JobId}: prlimit (util-linux) is not installed, so ffmpeg runs without CPU, memory and file-size limits", job.Id.ToString("N"));
        var work = Path.Combine(options.Value.ScratchDirectory, $"video-{job.Id:N}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            // The extension names the result's format; the source is opened by what its bytes are (VideoMuxer sniffs it again).
            var extension = Path.GetExtension(videoKey);
            var source = Path.Combine(work, "source" + extension);
            await objects.DownloadAsync(videoKey, source, cancellation: cancellation);
            var timing = await objects.ReadAllBytesAsync(FarmKeys.VideoTimes(job.Tenant, job.Id), cancellation: cancellation);
            var (duration, times) = FrameTimes.Parse(System.Text.Encoding.UTF8.GetString(timing));

            var frames = new List<string>();
            foreach (var frame in await store.GetFramesAsync(job.Id, cancellation))
            {
                var path = Path.Combine(work, $"{frame.Frame:D8}{Path.GetExtension(frame.ResultKey)}");
                await objects.DownloadAsync(frame.ResultKey!, path, cancellation: cancellation);
                frames.Add(path);
            }
            var output = Path.Combine(work, "result" + extension);
            await VideoMuxer.MuxAsync(source, frames, times, duration, output, options.Value.Media.ToLimits(), cancellation);
            var resultKey = FarmKeys.VideoResult(job.Tenant, job.Id, extension);
            await using (var result = File.OpenRead(output))
                await objects.PutAsync(resultKey, result, cancellation);
            if (await lifecycle.CompleteVideoAsync(job.Id, resultKey, cancellation))
                logger.LogInformation("Job {JobId} completed: {Frames} frames encoded into {Video}", job.Id, frames.Count, resultKey);
        }
        catch (VideoException e)
        {
            // The job's error is the fixed message; what ffmpeg said, with this server's paths, is for the log only.
            logger.LogWarning("Job {JobId}: encoding the video failed: {Reason} ({Detail})", job.Id, e.Message, e.Detail);
            await lifecycle.FailAsync(job.Id, $"encoding the video: {e.Message}", cancellation);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
