using System.Runtime.InteropServices;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// What a worker process spent: CPU time inside inference (measured on the model loop's thread around each
/// run, so it is all of inference when the CPU device runs single-threaded, <c>Worker:IntraOpThreads</c> 1,
/// or on a GPU) and the output pixels it delivered. <c>serve</c> prints the CPU time outside inference per
/// output megapixel when it stops: the cost of a worker's CPU path, which sets how many cores feed a GPU.
/// </summary>
public static class WorkerCpuAccount
{
    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID
    private static long _inferenceNanoseconds;
    private static long _outputPixels;

    public static TimeSpan InferenceCpu => TimeSpan.FromTicks(Interlocked.Read(ref _inferenceNanoseconds) / 100);

    public static long OutputPixels => Interlocked.Read(ref _outputPixels);

    /// <summary>CPU time of the calling thread, in nanoseconds; 0 where the clock is not available.</summary>
    public static long ThreadCpuNanoseconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;

    internal static void AddInference(long nanoseconds) => Interlocked.Add(ref _inferenceNanoseconds, nanoseconds);

    internal static void AddOutput(long pixels) => Interlocked.Add(ref _outputPixels, pixels);

    /// <summary>One line for the log, or null when the process delivered nothing.</summary>
    public static string? Summary(TimeSpan processCpu)
    {
        var megapixels = OutputPixels / 1e6;
        if (megapixels <= 0)
            return null;
        var outside = processCpu - InferenceCpu;
        return $"CPU {processCpu.TotalSeconds:F1} s, of which inference {InferenceCpu.TotalSeconds:F1} s; {megapixels:F1} output MP; "
            + $"{outside.TotalMilliseconds / megapixels:F2} CPU ms per output MP outside inference";
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
