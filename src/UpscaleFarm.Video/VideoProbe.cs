using System.Globalization;
using System.Text.Json;

namespace UpscaleFarm.Video;

/// <summary>Reads a video's streams and size with ffprobe (headers only), and its frames' timestamps.</summary>
public static class VideoProbe
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi",
    };

    public static bool HasVideoExtension(string name) => Extensions.Contains(Path.GetExtension(name));

    public static async Task<VideoInfo> ProbeAsync(string path, CancellationToken cancellation)
    {
        var json = await Ffmpeg.RunAsync("ffprobe", ["-v", "error", "-show_streams", "-show_format", "-of", "json", path], cancellation);
        using var document = JsonDocument.Parse(json);
        var streams = document.RootElement.TryGetProperty("streams", out var s) ? s.EnumerateArray().ToList() : [];
        var video = streams.FirstOrDefault(x => Text(x, "codec_type") == "video" && Text(x, "disposition.attached_pic") != "1");
        if (video.ValueKind != JsonValueKind.Object)
            throw new VideoException("no video stream");
        var duration = Number(document.RootElement.TryGetProperty("format", out var format) ? Text(format, "duration") : null) ?? Number(Text(video, "duration")) ?? 0;
        var frames = (long?)Number(Text(video, "nb_frames")) ?? (long)Math.Ceiling(duration * (Rate(Text(video, "avg_frame_rate")) ?? 0));
        return new VideoInfo(video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32(), duration, frames,
            streams.Any(x => Text(x, "codec_type") == "audio"), streams.Any(x => Text(x, "codec_type") == "subtitle"),
            Rate(Text(video, "r_frame_rate")) is > 0 ? Text(video, "r_frame_rate")! : "1000/1");
    }

    /// <summary>Each decoded frame's presentation time in seconds, in order: what a variable frame rate needs to be kept.</summary>
    public static async Task<IReadOnlyList<double>> FrameTimesAsync(string path, CancellationToken cancellation)
    {
        var csv = await Ffmpeg.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time", "-of", "csv=p=0", path], cancellation);
        return csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => Number(line.Split(',')[0]) ?? throw new VideoException($"a frame without a timestamp ('{line}')")).ToList();
    }

    private static string? Text(JsonElement element, string path)
    {
        foreach (var name in path.Split('.'))
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                return null;
        return element.ValueKind == JsonValueKind.String ? element.GetString() : element.ToString();
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double? Rate(string? fraction) =>
        fraction?.Split('/') is [var n, var d] && Number(n) is { } num && Number(d) is > 0 and var den ? num / den : null;
}
