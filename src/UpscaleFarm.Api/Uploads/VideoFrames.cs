using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// A video file cut into frames for a frame set. Its size and frame count are read by ffprobe from the
/// headers and checked against the tenant's limits before any frame is decoded; then each frame's
/// timestamp is read, so the result keeps the source's timing (a variable frame rate included).
/// </summary>
public static class VideoFrames
{
    public sealed record Extracted(VideoInfo Info, IReadOnlyList<double> Times, IReadOnlyList<string> Frames);

    public static async Task<Extracted> ExtractAsync(string video, string directory, TenantOptions limits, long maxPixels, CancellationToken cancellation)
    {
        try
        {
            var info = await VideoProbe.ProbeAsync(video, cancellation);
            var pixels = (long)info.Width * info.Height;
            if (pixels > maxPixels)
                throw UploadRejectedException.Unprocessable($"the video's {info.Width}x{info.Height} frames are over the limit of {maxPixels} pixels");
            if (info.EstimatedFrames > limits.MaxFrames)
                throw UploadRejectedException.TooLarge($"the video has about {info.EstimatedFrames} frames; a job may have at most {limits.MaxFrames}");
            // Decoded frames are kept as PNG, at most raw size: refuse a video whose frames could not fit.
            if (info.EstimatedFrames * pixels * 3 > limits.MaxUnzippedBytes)
                throw UploadRejectedException.TooLarge($"the video's frames would take up to {info.EstimatedFrames * pixels * 3} bytes, over this tenant's limit of {limits.MaxUnzippedBytes}");
            var times = await VideoProbe.FrameTimesAsync(video, cancellation);
            if (times.Count > limits.MaxFrames)
                throw UploadRejectedException.TooLarge($"the video has {times.Count} frames; a job may have at most {limits.MaxFrames}");
            var frames = await FrameExtractor.ExtractAsync(video, directory, cancellation);
            if (frames.Count != times.Count)
                throw UploadRejectedException.Unprocessable($"the video decoded to {frames.Count} frames but has {times.Count} timestamps");
            return new Extracted(info, times, frames);
        }
        catch (VideoException e)
        {
            throw UploadRejectedException.Unprocessable($"not a readable video: {e.Message}");
        }
    }
}
