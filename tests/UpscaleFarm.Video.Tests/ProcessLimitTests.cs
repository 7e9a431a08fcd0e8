using System.Diagnostics;
using UpscaleFarm.Video;

namespace UpscaleFarm.Video.Tests;

/// <summary>A process that hangs, spins or writes without end is stopped at its limit, and the caller is told which.</summary>
public sealed class ProcessLimitTests : IDisposable
{
    private readonly MediaScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Prlimit_is_installed_so_the_kernel_limits_apply() =>
        Assert.True(Ffmpeg.ResourceLimitsApplied, "prlimit (util-linux) not found: CPU, memory and file-size limits would not apply");

    [Fact]
    public async Task A_process_that_runs_past_the_timeout_is_killed()
    {
        // -re reads the endless test source at its own rate: it would run forever, using almost no CPU.
        var limits = MediaLimits.Default with { Timeout = TimeSpan.FromSeconds(1.5) };
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<VideoException>(() => Ffmpeg.RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-f", "null", "-"], limits, "failed", CancellationToken.None));

        Assert.Equal("ffmpeg took longer than 1.5 s and was stopped", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_process_that_writes_more_than_the_output_limit_is_stopped()
    {
        var limits = MediaLimits.Default with { MaxOutputBytes = 100_000 };
        var output = _scratch.PathOf("raw.yuv");

        var e = await Assert.ThrowsAsync<VideoException>(() => Ffmpeg.RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "10", "-f", "rawvideo", output], limits, "failed",
            CancellationToken.None));

        Assert.Equal("ffmpeg wrote more than 100000 bytes of output and was stopped", e.Message);
        Assert.True(new FileInfo(output).Length <= 100_000, $"{new FileInfo(output).Length} bytes written");
    }

    [Fact]
    public async Task A_process_that_prints_more_than_the_output_limit_is_stopped()
    {
        var clip = await _scratch.FiveFramesAsync("clip.mp4");
        var limits = MediaLimits.Default with { MaxOutputBytes = 100 };

        var e = await Assert.ThrowsAsync<VideoException>(() => VideoProbe.ProbeAsync(clip, limits, CancellationToken.None));

        Assert.Equal("ffprobe printed more than 100 bytes and was stopped", e.Message);
    }

    [Fact]
    public async Task A_process_that_spins_past_its_cpu_seconds_is_stopped()
    {
        var limits = MediaLimits.Default with { CpuSeconds = 1 };

        var e = await Assert.ThrowsAsync<VideoException>(() => Ffmpeg.RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=25", "-t", "600", "-c:v", "libx264", "-f", "null", "-"], limits,
            "failed", CancellationToken.None));

        Assert.Equal("ffmpeg used more than 1 s of CPU time and was stopped", e.Message);
    }

    [Fact]
    public async Task A_process_that_needs_more_memory_than_the_limit_is_stopped()
    {
        // x264's buffers for a 4K frame alone are over 100 MiB.
        var limits = MediaLimits.Default with { MaxMemoryBytes = 500_000_000, Timeout = TimeSpan.FromSeconds(30) };

        var e = await Assert.ThrowsAsync<VideoException>(() => Ffmpeg.RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc=size=4096x2160:rate=25", "-t", "1", "-c:v", "libx264", "-f", "null", "-"], limits,
            "failed", CancellationToken.None));

        Assert.Equal("ffmpeg needed more than 500000000 bytes of memory and was stopped", e.Message);
    }

    [Fact]
    public async Task A_caller_that_cancels_stops_the_process_and_gets_its_cancellation()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(0.5));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ffmpeg.RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-f", "null", "-"], MediaLimits.Default, "failed", cancel.Token));
    }
}
