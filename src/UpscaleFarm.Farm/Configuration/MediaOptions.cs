using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Configuration;

/// <summary>
/// Limits on each ffmpeg and ffprobe process run on a tenant's video, by the API (the headers), the coordinator
/// (timestamps, frames) and the assembler (encoding the result): "Farm:Media" in configuration. A process past one is
/// stopped and the video refused or the job failed, with the limit named.
/// </summary>
public sealed class MediaOptions
{
    /// <summary>Wall-clock seconds per process (600: a long high-resolution source decodes or encodes well within it).</summary>
    public int TimeoutSeconds { get; set; } = (int)MediaLimits.Default.Timeout.TotalSeconds;

    /// <summary>CPU seconds per process, all its threads together (1200: two cores busy for the whole timeout).</summary>
    public long CpuSeconds { get; set; } = MediaLimits.Default.CpuSeconds;

    /// <summary>Address space per process in bytes (4 GiB: ffmpeg decoding 4K needs a few hundred MiB).</summary>
    public long MaxMemoryBytes { get; set; } = MediaLimits.Default.MaxMemoryBytes;

    /// <summary>The largest file a process may write, in bytes (16 GiB: one PNG frame or one encoded result is far smaller).</summary>
    public long MaxOutputBytes { get; set; } = MediaLimits.Default.MaxOutputBytes;

    public MediaLimits ToLimits() => new(TimeSpan.FromSeconds(TimeoutSeconds), CpuSeconds, MaxMemoryBytes, MaxOutputBytes);
}
