using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Housekeeping;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Imaging;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Storage;
using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// A video job's planning step before its frames are planned: the stored video is cut into PNG frames, which become
/// the job's frames. The API checked the video's headers against the tenant's limits before the job was made; here
/// each frame's timestamp is read, counting past no more than the limit (a header that understated the frames gains
/// nothing), the count and the decoded size are checked against the same limits (<see cref="VideoCut"/>), and only
/// then is any frame decoded, at the probed size. Every ffmpeg run is bounded by Farm:Media (<see cref="MediaLimits"/>).
/// The frames go to the object store as the job's sources, the timestamps beside the video when the result is to be
/// one, and the frames are recorded with the job in one commit. A video that cannot be read, or breaks a limit, is a
/// <see cref="VideoException"/> whose message is fixed text for the tenant (ffmpeg's words stay in its Detail).
/// </summary>
public sealed class VideoCutter(IObjectStore objects, JobLifecycle lifecycle, ModelCatalog catalog, IOptions<FarmOptions> options, ILogger<VideoCutter> logger)
{
    /// <summary>
    /// Cuts the video into the job's frames and records them, with the JobSubmitted that has them planned; run again after
    /// the frames were recorded, changes nothing. Scratch holds the video and at most <see cref="VideoCut.MaxDecodedBytes"/>
    /// of frames while it runs (<see cref="VideoCutService"/> bounds how many run at once).
    /// </summary>
    /// <exception cref="VideoException">The video cannot be read or breaks a limit: the job's failure, for its owner.</exception>
    /// <exception cref="ScratchFullException">The scratch disk filled up while frames were decoded: a wait, not the video's fault.</exception>
    public async Task CutAsync(JobRecord job, VideoCut cut, CancellationToken cancellation)
    {
        var farm = options.Value;
        var media = farm.Media.ToLimits();
        // A work folder of its own per attempt; ScratchSweeper removes one a dead coordinator left.
        var work = Path.Combine(farm.ScratchDirectory, $"video-cut-{job.Id:N}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var video = Path.Combine(work, "source" + Path.GetExtension(cut.VideoKey));
            try
            {
                await objects.DownloadAsync(cut.VideoKey, video, cut.MaxVideoBytes, cancellation);
            }
            catch (ObjectTooLargeException)
            {
                throw new VideoException($"the video is over this tenant's upload limit of {cut.MaxVideoBytes} bytes");
            }
            var info = await ReadAsync(() => VideoProbe.ProbeAsync(video, media, cancellation));
            var pixels = (long)info.Width * info.Height;
            // The API refused these from the headers already; the same video read again can say no otherwise, but a limit holds here too.
            if (pixels > cut.MaxPixels)
                throw new VideoException($"the video's {info.Width}x{info.Height} frames are over the limit of {cut.MaxPixels} pixels");
            var times = await ReadAsync(() => VideoProbe.FrameTimesAsync(video, info, cut.MaxFrames, media, cancellation));
            if (times.Count > cut.MaxFrames)
                throw new VideoException($"the video has more than {cut.MaxFrames} frames, the most a job may have");
            // Decoded frames are kept as PNG, at most raw size: refuse a video whose frames could not fit, before decoding any.
            if (times.Count * pixels * 3 > cut.MaxDecodedBytes)
                throw new VideoException($"the video's frames would take up to {times.Count * pixels * 3} bytes, over this tenant's limit of {cut.MaxDecodedBytes}");
            if (times.Count == 0)
                throw new VideoException("not a readable video: it has no frames");
            var frames = await ReadAsync(() => FrameExtractor.ExtractAsync(video, info, Path.Combine(work, "frames"), cut.MaxFrames, media, cancellation));
            if (frames.Count != times.Count)
                throw new VideoException($"not a readable video: it decoded to {frames.Count} frames but has {times.Count} timestamps");

            var (sources, reserved) = await StoreFramesAsync(job, cut, frames, cancellation);
            if (cut.MuxResult)
            {
                reserved += ResultReservation.Video(reserved);
                var timing = FrameTimes.Format(info.DurationSeconds, times);
                await objects.PutAsync(FarmKeys.VideoTimes(job.Tenant, job.Id), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(timing), writable: false),
                    cancellation);
            }
            if (!await lifecycle.RecordVideoFramesAsync(job, sources, reserved, cancellation))
                return;
            logger.LogInformation("Job {JobId}: its video was cut into {Frames} frames", job.Id, sources.Count);
            // Asked for a zip of frames, the job no longer needs its source: the frames are what it keeps.
            if (!cut.MuxResult)
                await objects.DeleteAsync(cut.VideoKey, cancellation);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Stores each frame as the job's source (removing it from scratch as it goes, so scratch holds one copy), counting the
    /// bytes against the decoded limit and the result each frame will need, from its PNG header, like an uploaded image's.
    /// </summary>
    private async Task<(List<FrameSource> Sources, long Reserved)> StoreFramesAsync(JobRecord job, VideoCut cut, IReadOnlyList<string> frames,
        CancellationToken cancellation)
    {
        var scale = job.Options.OutScale ?? catalog.Find(job.Model).Scale;
        var imageLimits = options.Value.Limits.ToImageLimits() with { MaxInputPixels = cut.MaxPixels };
        var stem = Path.GetFileNameWithoutExtension(cut.Name);
        var sources = new List<FrameSource>(frames.Count);
        var iccProfiles = new Dictionary<string, long>();
        long reserved = 0, decoded = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            var name = $"{stem}-{i:D6}.png";
            decoded += new FileInfo(frames[i]).Length;
            if (decoded > cut.MaxDecodedBytes)
                throw new VideoException($"the video's frames take more than this tenant's limit of {cut.MaxDecodedBytes} bytes");
            try
            {
                using var image = SourceImage.Open(frames[i], imageLimits, name);
                reserved += ResultReservation.Frame(FrameShape.Of(image), scale);
                if (image.IccProfile is { } profile)
                    iccProfiles.TryAdd(Convert.ToHexStringLower(SHA256.HashData(profile)), profile.Length);
            }
            catch (ImageInputException e)
            {
                throw new VideoException("not a readable video: a decoded frame could not be read", e.Message);
            }
            var key = FarmKeys.Source(job.Tenant, job.Id, i, ".png");
            await using (var file = File.OpenRead(frames[i]))
                await objects.PutAsync(key, file, cancellation);
            File.Delete(frames[i]);
            sources.Add(new FrameSource(key, name));
        }
        return (sources, reserved + iccProfiles.Values.Sum());
    }

    /// <summary>A failure of ffmpeg or ffprobe, told as today's refusals were: fixed text, ffmpeg's own output kept in the Detail.</summary>
    private async Task<T> ReadAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (VideoException e)
        {
            // ffmpeg failing to write a frame to a full disk says so in its own words (kept in the Detail).
            if (ScratchFullException.When(options.Value.ScratchDirectory, new IOException(e.Detail ?? e.Message)) is ScratchFullException full)
                throw full;
            throw new VideoException($"not a readable video: {e.Message}", e.Detail);
        }
    }
}
