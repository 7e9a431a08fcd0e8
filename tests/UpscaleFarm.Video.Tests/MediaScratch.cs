using UpscaleFarm.Video;

namespace UpscaleFarm.Video.Tests;

/// <summary>A temporary directory of clips made with ffmpeg's test sources, removed after the test.</summary>
public sealed class MediaScratch : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("upscalefarm-media-").FullName;

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>A clip written by ffmpeg from <paramref name="arguments"/> (inputs and encoder options) to <paramref name="name"/>.</summary>
    public async Task<string> ClipAsync(string name, params string[] arguments)
    {
        var path = PathOf(name);
        await Ffmpeg.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-y", .. arguments, path], MediaLimits.Default, "making a test clip failed",
            CancellationToken.None);
        return path;
    }

    /// <summary>Five 64x48 frames, 0.2 s apart, H.264 in the container <paramref name="name"/>'s extension says (or <paramref name="format"/>).</summary>
    public Task<string> FiveFramesAsync(string name, string? format = null) =>
        ClipAsync(name, ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", .. format is null ? (string[])[] : ["-f", format]]);

    public string Text(string name, string content)
    {
        var path = PathOf(name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
