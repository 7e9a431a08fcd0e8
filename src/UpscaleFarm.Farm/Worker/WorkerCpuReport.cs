using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// What this worker process spent per output pixel, for the line `serve` prints when it stops (the benchmarks read it):
/// CPU time outside inference per output megapixel, the cost of a worker's CPU path, which sets how many cores feed a
/// GPU. It listens to the farm's meter (<see cref="FarmTelemetry.OutputPixels"/>, <see cref="FarmTelemetry.TilesCompleted"/>,
/// <see cref="FarmTelemetry.InferenceCpuTime"/>, which operators scrape too) and reads the process's CPU time as tiles are
/// delivered; the process's CPU counts every thread: downloads, decoding, encoding, uploads, messaging and the job store.
/// </summary>
public sealed class WorkerCpuReport : IHostedService, IDisposable
{
    /// <summary>
    /// Tiles before the steady state: a fresh process spends its first tiles' CPU compiling code (the JIT and
    /// its tiering were a third of a new worker's CPU time over its first 64 tiles), a cost paid once per process.
    /// </summary>
    public const int WarmUpTiles = 32;

    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private double _inferenceSeconds;
    private long _outputPixels;
    private long _tiles;
    private Snapshot? _warm;
    private Snapshot? _last;

    public WorkerCpuReport()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == FarmTelemetry.Meter && instrument.Name is "upscalefarm.worker.output.pixels" or "upscalefarm.tiles.completed"
                or "upscalefarm.worker.inference.cpu_time")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Delivered(instrument, value));
        _listener.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            lock (_gate)
                _inferenceSeconds += seconds;
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>CPU time of the calling thread in seconds (what <see cref="FarmTelemetry.InferenceCpuTime"/> counts); 0 where the clock is not available.</summary>
    public static double ThreadCpuSeconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds + t.Nanoseconds / 1e9 : 0;

    private void Delivered(Instrument instrument, long value)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        lock (_gate)
        {
            if (instrument.Name == "upscalefarm.worker.output.pixels")
            {
                _outputPixels += value;
                return;
            }
            // The tiles whose pixels were just counted: a snapshot per delivered pack.
            var snapshot = new Snapshot(cpu, TimeSpan.FromSeconds(_inferenceSeconds), _outputPixels);
            var before = _tiles;
            _tiles += value;
            if (before < WarmUpTiles && _tiles >= WarmUpTiles)
                _warm = snapshot;
            _last = snapshot;
        }
    }

    /// <summary>One line for the log: the steady state, from the tile after the warm-up to the last; null before that.</summary>
    public string? Summary()
    {
        lock (_gate)
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

    public void Dispose() => _listener.Dispose();

    private readonly record struct Snapshot(TimeSpan ProcessCpu, TimeSpan InferenceCpu, long OutputPixels);

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
