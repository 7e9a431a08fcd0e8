using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Video;

namespace UpscaleFarm.Api.Uploads;

/// <summary>
/// An uploaded video checked before its job is made, from what its headers say: no frame is decoded here (the
/// coordinator cuts the frames, <see cref="Farm.Coordinator.VideoCutter"/>, and counts them against the same limits).
/// Its container is sniffed from its bytes (a playlist or script named .mp4 is refused before ffprobe runs); its size
/// and frame count are read by ffprobe from the headers alone, bounded by <see cref="MediaLimits"/>, and a video over
/// the tenant's limits is refused now, with the status a decoded one would get.
/// </summary>
public static class VideoHeaders
{
    public static async Task<VideoInfo> CheckAsync(string video, TenantOptions limits, long maxPixels, MediaLimits media, CancellationToken cancellation)
    {
        VideoInfo info;
        try
        {
            info = await VideoProbe.ProbeAsync(video, media, cancellation);
        }
        catch (VideoException e)
        {
            // e.Message is fixed text; e.Detail (ffmpeg's stderr, with this server's paths) went to the trace, never to the tenant.
            throw UploadRejectedException.Unprocessable($"not a readable video: {e.Message}");
        }
        var pixels = (long)info.Width * info.Height;
        if (pixels > maxPixels)
            throw UploadRejectedException.Unprocessable($"the video's {info.Width}x{info.Height} frames are over the limit of {maxPixels} pixels");
        if (info.EstimatedFrames > limits.MaxFrames)
            throw UploadRejectedException.TooLarge($"the video has about {info.EstimatedFrames} frames; a job may have at most {limits.MaxFrames}");
        // Decoded frames are kept as PNG, at most raw size: refuse a video whose frames could not fit.
        if (DecodedBytes(info) > limits.MaxUnzippedBytes)
            throw UploadRejectedException.TooLarge($"the video's frames would take up to {DecodedBytes(info)} bytes, over this tenant's limit of {limits.MaxUnzippedBytes}");
        return info;
    }

    /// <summary>The most the frames the headers announce take decoded: 3 bytes a pixel, the size of the PNGs they are cut into at most.</summary>
    public static long DecodedBytes(VideoInfo info) => info.EstimatedFrames * info.Width * info.Height * 3;
}
