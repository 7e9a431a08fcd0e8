namespace UpscaleFarm.Video;

/// <summary>Cuts a video's first video stream into PNG frames, one per decoded frame (no frames dropped or repeated).</summary>
public static class FrameExtractor
{
    public static async Task<IReadOnlyList<string>> ExtractAsync(string video, string directory, CancellationToken cancellation)
    {
        Directory.CreateDirectory(directory);
        await Ffmpeg.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", video, "-map", "0:v:0", "-fps_mode", "passthrough",
            "-start_number", "0", Path.Combine(directory, "%08d.png")], cancellation);
        return Directory.EnumerateFiles(directory, "*.png").Order(StringComparer.Ordinal).ToList();
    }
}
