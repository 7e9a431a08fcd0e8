namespace UpscaleFarm.Video;

/// <summary>
/// What one ffmpeg or ffprobe process may use before it is stopped. The wall clock is watched here; CPU
/// time, address space and each written file's size are the kernel's limits, set with util-linux's
/// prlimit (RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE) on the process it then becomes.
/// </summary>
/// <param name="Timeout">Wall-clock time; past it the process tree is killed.</param>
/// <param name="CpuSeconds">CPU seconds, all threads together (RLIMIT_CPU).</param>
/// <param name="MaxMemoryBytes">Address space (RLIMIT_AS): allocations past it fail.</param>
/// <param name="MaxOutputBytes">The largest file the process may write (RLIMIT_FSIZE), and the most it may print to stdout.</param>
public sealed record MediaLimits(TimeSpan Timeout, long CpuSeconds, long MaxMemoryBytes, long MaxOutputBytes)
{
    /// <summary>10 minutes, 20 CPU minutes, 4 GiB, 16 GiB: room for a long 4K source, not for a runaway.</summary>
    public static readonly MediaLimits Default = new(TimeSpan.FromSeconds(600), 1200, 4L << 30, 16L << 30);
}
