using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A video file cut into frames for a frame set. Its container is sniffed from its bytes (a playlist or
/// script named .mp4 is refused before ffmpeg runs); its size and frame count are read by ffprobe from the
/// headers and checked against the tenant's limits before any frame is decoded; then each frame's timestamp
/// is read, counting past no more than the limit, so a header that understates the frames gains nothing,
/// and the result keeps the source's timing (a variable frame rate included). Every ffmpeg run is bounded
/// by <see cref="MediaLimits"/>.
/// </summary>
public static class VideoFrames
{
    public sealed record Extracted(VideoInfo Info, IReadOnlyList<double> Times, IReadOnlyList<string> Frames);

    /// <param name="holdScratch">Told, before any frame is decoded, the most bytes the decoded frames may take in <paramref name="directory"/>.</param>
    public static async Task<Extracted> ExtractAsync(string video, string directory, TenantOptions limits, long maxPixels, MediaLimits media,
        Action<long> holdScratch, CancellationToken cancellation)
    {
        try
        {
            var info = await VideoProbe.ProbeAsync(video, media, cancellation);
            var pixels = (long)info.Width * info.Height;
            if (pixels > maxPixels)
                throw UploadRejectedException.Unprocessable($"the video's {info.Width}x{info.Height} frames are over the limit of {maxPixels} pixels");
            if (info.EstimatedFrames > limits.MaxFrames)
                throw UploadRejectedException.TooLarge($"the video has about {info.EstimatedFrames} frames; a job may have at most {limits.MaxFrames}");
            // Decoded frames are kept as PNG, at most raw size: refuse a video whose frames could not fit.
            if (info.EstimatedFrames * pixels * 3 > limits.MaxUnzippedBytes)
                throw UploadRejectedException.TooLarge($"the video's frames would take up to {info.EstimatedFrames * pixels * 3} bytes, over this tenant's limit of {limits.MaxUnzippedBytes}");
            var times = await VideoProbe.FrameTimesAsync(video, info, limits.MaxFrames, media, cancellation);
            if (times.Count > limits.MaxFrames)
                throw UploadRejectedException.TooLarge($"the video has more than {limits.MaxFrames} frames, the most a job may have");
            if (times.Count * pixels * 3 > limits.MaxUnzippedBytes)
                throw UploadRejectedException.TooLarge($"the video's frames would take up to {times.Count * pixels * 3} bytes, over this tenant's limit of {limits.MaxUnzippedBytes}");
            holdScratch(times.Count * pixels * 3);
            var frames = await FrameExtractor.ExtractAsync(video, info, directory, limits.MaxFrames, media, cancellation);
            if (frames.Count != times.Count)
                throw UploadRejectedException.Unprocessable($"the video decoded to {frames.Count} frames but has {times.Count} timestamps");
            return new Extracted(info, times, frames);
        }
        catch (VideoException e)
        {
            // e.Message is fixed text; e.Detail (ffmpeg's stderr, with this server's paths) went to the trace, never to the tenant.
            throw UploadRejectedException.Unprocessable($"not a readable video: {e.Message}");
        }
    }
}
