using System.Globalization;

namespace UpscaleFarm.Video;

/// <summary>
/// Cuts a probed video's one video stream into PNG frames, one per decoded frame (no frames dropped or
/// repeated), at most <c>maxFrames</c> of them whatever the headers claimed, each at the probed size
/// (a stream whose resolution changes midway cannot make a later frame larger than the one checked).
/// </summary>
public static class FrameExtractor
{
    public static async Task<IReadOnlyList<string>> ExtractAsync(string video, VideoInfo info, string directory, long maxFrames, MediaLimits limits,
        CancellationToken cancellation)
    {
        Directory.CreateDirectory(directory);
        await Ffmpeg.RunAsync("ffmpeg",
        [
            "-v", "error", "-nostdin", .. info.Container.InputArguments(video),
            "-map", $"0:{info.StreamIndex.ToString(CultureInfo.InvariantCulture)}", "-an", "-sn", "-dn",
            "-frames:v", maxFrames.ToString(CultureInfo.InvariantCulture), "-s", $"{info.Width}x{info.Height}", "-fps_mode", "passthrough",
            "-protocol_whitelist", "file", "-start_number", "0", Path.Combine(directory, "%08d.png"),
        ], limits, VideoProbe.Unreadable, cancellation);
        var frames = Directory.EnumerateFiles(directory, "*.png").Order(StringComparer.Ordinal).ToList();
        // ffmpeg stops at -frames:v; the count is checked again here so that no other path can hand back more.
        return frames.Count <= maxFrames ? frames : throw new VideoException($"the video has more than {maxFrames} frames");
    }
}
