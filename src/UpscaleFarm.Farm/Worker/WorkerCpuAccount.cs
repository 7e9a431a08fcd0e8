using System.Runtime.InteropServices;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// What a worker process spent: CPU time inside inference (measured on the model loop's thread around each
/// run, so it is all of inference when the CPU device runs single-threaded, <c>Worker:IntraOpThreads</c> 1,
/// or on a GPU) and the output pixels it delivered. <c>serve</c> prints the CPU time outside inference per
/// output megapixel when it stops: the cost of a worker's CPU path, which sets how many cores feed a GPU.
/// Process CPU time counts every thread: downloads, decoding, encoding, uploads, messaging and the job store.
/// </summary>
public static class WorkerCpuAccount
{
    /// <summary>
    /// Tiles before the steady state: a fresh process spends its first tiles' CPU compiling code (the JIT and
    /// its tiering were a third of a new worker's CPU time over its first 64 tiles), a cost paid once per process.
    /// </summary>
    public const int WarmUpTiles = 32;

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID
    private static readonly object Gate = new();
    private static long _inferenceNanoseconds;
    private static long _outputPixels;
    private static long _tiles;
    private static Snapshot? _warm;
    private static Snapshot? _last;

    /// <summary>CPU time of the calling thread, in nanoseconds; 0 where the clock is not available.</summary>
    public static long ThreadCpuNanoseconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;

    internal static void AddInference(long nanoseconds) => Interlocked.Add(ref _inferenceNanoseconds, nanoseconds);

    /// <summary>A pack of tiles is delivered (uploaded and reported): its output pixels count, and the process's CPU time is read.</summary>
    internal static void TilesDelivered(int tiles, long outputPixels)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        lock (Gate)
        {
            _outputPixels += outputPixels;
            var snapshot = new Snapshot(cpu, TimeSpan.FromTicks(_inferenceNanoseconds / 100), _outputPixels);
            var before = _tiles;
            _tiles += tiles;
            if (before < WarmUpTiles && _tiles >= WarmUpTiles)
                _warm = snapshot;
            _last = snapshot;
        }
    }

    /// <summary>One line for the log: the steady state, from the tile after the warm-up to the last; null before that.</summary>
    public static string? Summary()
    {
        lock (Gate)
        {
            if (_warm is not { } warm || _last is not { } last || last.OutputPixels == warm.OutputPixels)
                return null;
            var megapixels = (last.OutputPixels - warm.OutputPixels) / 1e6;
            var process = last.ProcessCpu - warm.ProcessCpu;
            var inference = last.InferenceCpu - warm.InferenceCpu;
            return $"after {WarmUpTiles} warm-up tiles: CPU {process.TotalSeconds:F1} s, of which inference {inference.TotalSeconds:F1} s, "
                + $"for {megapixels:F1} output MP in {_tiles - WarmUpTiles} tiles; {(process - inference).TotalMilliseconds / megapixels:F2} CPU ms per output MP outside inference";
        }
    }

    private readonly record struct Snapshot(TimeSpan ProcessCpu, TimeSpan InferenceCpu, long OutputPixels);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
