using System.Globalization;
using System.Text.Json;

namespace UpscaleFarm.Video;

/// <summary>
/// Reads a video's streams and size with ffprobe (headers only), and its frames' timestamps. The file's
/// container is sniffed from its bytes first (<see cref="MediaContainer"/>): anything else is refused before
/// ffprobe runs, and ffprobe opens it with that demuxer alone, over the file protocol alone.
/// </summary>
public static class VideoProbe
{
    /// <summary>What a file ffprobe cannot make sense of is told.</summary>
    public const string Unreadable = "the video could not be read";

    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi",
    };

    public static bool HasVideoExtension(string name) => Extensions.Contains(Path.GetExtension(name));

    public static async Task<VideoInfo> ProbeAsync(string path, MediaLimits limits, CancellationToken cancellation)
    {
        var container = MediaContainer.Sniff(path);
        var json = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", .. container.InputArguments(path), "-show_streams", "-show_format", "-of", "json"],
            limits, Unreadable, cancellation);
        try
        {
            using var document = JsonDocument.Parse(json);
            var streams = document.RootElement.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
            var video = streams.FirstOrDefault(x => Text(x, "codec_type") == "video" && Text(x, "disposition.attached_pic") != "1");
            if (video.ValueKind != JsonValueKind.Object)
                throw new VideoException("no video stream");
            var width = (int?)Number(Text(video, "width")) ?? 0;
            var height = (int?)Number(Text(video, "height")) ?? 0;
            if (width <= 0 || height <= 0 || Number(Text(video, "index")) is not { } index)
                throw new VideoException(Unreadable, $"ffprobe gave the video stream no size or index: {video}");
            var duration = Number(document.RootElement.TryGetProperty("format", out var format) ? Text(format, "duration") : null) ?? Number(Text(video, "duration")) ?? 0;
            var frames = (long?)Number(Text(video, "nb_frames")) ?? (long)Math.Ceiling(duration * (Rate(Text(video, "avg_frame_rate")) ?? 0));
            return new VideoInfo(width, height, duration, frames,
                streams.Any(x => Text(x, "codec_type") == "audio"), streams.Any(x => Text(x, "codec_type") == "subtitle"),
                Rate(Text(video, "r_frame_rate")) is > 0 ? Text(video, "r_frame_rate")! : "1000/1", container, (int)index);
        }
        catch (JsonException e)
        {
            throw new VideoException(Unreadable, $"ffprobe's JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Each decoded frame's presentation time in seconds, in order: what a variable frame rate needs to be kept.
    /// Only the probed stream is decoded, and no more than <paramref name="maxFrames"/> + 1 of its packets are read:
    /// one over the limit is enough to refuse the video, whatever its header claimed.
    /// </summary>
    public static async Task<IReadOnlyList<double>> FrameTimesAsync(string path, VideoInfo info, long maxFrames, MediaLimits limits, CancellationToken cancellation)
    {
        var csv = await Ffmpeg.RunAsync("ffprobe",
        [
            "-v", "error", .. info.Container.InputArguments(path), "-select_streams", info.StreamIndex.ToString(CultureInfo.InvariantCulture),
            "-read_intervals", $"%+#{Math.Min(maxFrames, int.MaxValue) + 1}", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0",
        ], limits, Unreadable, cancellation);
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => Number(line.Split(',')[0]) ?? throw new VideoException("a frame has no timestamp", $"ffprobe's line '{line}'")).ToList();
    }

    private static string? Text(JsonElement element, string path)
    {
        foreach (var name in path.Split('.'))
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                return null;
        return element.ValueKind == JsonValueKind.String ? element.GetString() : element.ToString();
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    private static double? Rate(string? fraction) =>
        fraction?.Split('/') is [var n, var d] && Number(n) is { } num && Number(d) is > 0 and var den ? num / den : null;
}
