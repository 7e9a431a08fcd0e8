using System.Globalization;
using System.Text;

namespace UpscaleFarm.Video;

/// <summary>
/// Encodes upscaled frames back into a video with the source's timing: each frame is shown for the
/// time until the next frame's timestamp (ffmpeg's concat demuxer with per-file durations, read at
/// millisecond ticks), and the encoder counts time in the source's own ticks (its r_frame_rate), so
/// every timestamp, a variable frame rate's included, and the last frame's duration come back exactly.
/// The source's audio and subtitle streams and metadata are copied.
/// The source is the tenant's file: it is sniffed again and opened with its own demuxer over the file
/// protocol only, as when it was probed. The frame list is the farm's own (absolute paths of frames it wrote),
/// so its concat demuxer may take any path (-safe 0), but over the file protocol only too.
/// </summary>
public static class VideoMuxer
{
    public static async Task MuxAsync(string source, IReadOnlyList<string> frames, IReadOnlyList<double> frameTimes, double durationSeconds,
        string output, MediaLimits limits, CancellationToken cancellation)
    {
        if (frames.Count == 0 || frames.Count != frameTimes.Count)
            throw new VideoException("the frames do not match the video's timestamps", $"{frames.Count} frames for {frameTimes.Count} timestamps");
        var probed = await VideoProbe.ProbeAsync(source, limits, cancellation);
        var (ticks, container) = (probed.TimeBaseRate, probed.Container);
        var list = Path.ChangeExtension(output, ".ffconcat");
        await File.WriteAllTextAsync(list, ConcatList(frames, frameTimes, durationSeconds), cancellation);
        try
        {
            var webm = Path.GetExtension(output).Equals(".webm", StringComparison.OrdinalIgnoreCase);
            string[] video = webm
                ? ["-c:v", "libvpx-vp9", "-crf", "30", "-b:v", "0", "-row-mt", "1"]
                : ["-c:v", "libx264", "-crf", "18", "-preset", "medium"];
            await Ffmpeg.RunAsync("ffmpeg",
            [
                "-v", "error", "-nostdin", "-y", "-protocol_whitelist", "file", "-f", "concat", "-safe", "0", "-i", "file:" + Path.GetFullPath(list),
                .. container.InputArguments(source),
                // Only the frames' video, the source's audio and subtitles: its other video, data and attachment streams stay behind.
                "-map", "0:v", "-map", "1:a?", "-map", "1:s?", "-dn", "-map_metadata", "1",
                .. video, "-pix_fmt", "yuv420p", "-fps_mode", "vfr", "-r", ticks, "-c:a", "copy", "-c:s", "copy",
                "-protocol_whitelist", "file", output,
            ], limits, "the video could not be encoded", cancellation);
        }
        finally
        {
            File.Delete(list);
        }
    }

    private static string ConcatList(IReadOnlyList<string> frames, IReadOnlyList<double> times, double duration)
    {
        var text = new StringBuilder("ffconcat version 1.0\n");
        var typical = frames.Count > 1 ? (times[^1] - times[0]) / (frames.Count - 1) : Math.Max(duration, 0.04);
        for (var i = 0; i < frames.Count; i++)
        {
            var shown = i + 1 < frames.Count ? times[i + 1] - times[i] : Math.Max(duration - times[i], typical);
            text.Append(CultureInfo.InvariantCulture, $"file '{frames[i].Replace("'", @"'\''")}'\noption framerate 1000\nduration {Math.Max(shown, 0.001):F6}\n");
        }
        return text.ToString();
    }
}
