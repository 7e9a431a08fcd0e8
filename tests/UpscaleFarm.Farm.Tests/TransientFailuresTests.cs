using System.Diagnostics;
using System.Net.Sockets;
using Amazon.S3;
using MassTransit;
using Npgsql;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Housekeeping;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Farm.Tests;

/// <summary>Which failures are an outage, which dependency each names, and how a client rides one through.</summary>
public sealed class TransientFailuresTests
{
    public static TheoryData<Exception, string?, bool> Failures => new()
    {
        { new NpgsqlException("connection refused", new SocketException(111)), PublicErrors.JobStore, true },
        { new AmazonS3Exception("SlowDown") { StatusCode = System.Net.HttpStatusCode.ServiceUnavailable }, PublicErrors.ObjectStore, true },
        { new RabbitMqConnectionException("Broker unreachable: guest@10.0.0.7:5672/", new SocketException(111)), PublicErrors.MessageBroker, true },
        // Named by what it wraps; waited out only where the farm knows the outer type.
        { new InvalidOperationException("wrapped", new NpgsqlException("reset", new IOException("reset"))), PublicErrors.JobStore, false },
        // A cut connection: an outage, of no dependency that can be told.
        { new IOException("reset", new SocketException(104)), null, true },
        { new ArgumentException("a bad option"), null, false },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void An_outage_is_transient_and_its_dependency_named_by_its_public_name_only(Exception failure, string? dependency, bool transient) =>
        Assert.Equal((dependency, transient), (PublicErrors.DependencyOf(failure), TransientFailures.IsTransient(failure)));

    [Fact]
    public void A_write_that_fails_on_a_full_scratch_disk_is_waited_out_and_one_with_room_left_is_not()
    {
        // A real full disk: an 8 MiB tmpfs (root, as scripts/test.sh runs the suite), filled by .NET and then written by libvips.
        Assert.True(Environment.UserName == "root", "mounting a tmpfs needs root: run the suite as scripts/test.sh does");
        using var dir = new TempDirectory();
        var scratch = dir.File("scratch");
        Directory.CreateDirectory(scratch);
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", scratch);
        try
        {
            var full = Assert.ThrowsAny<IOException>(() =>
            {
                using var fill = File.Create(Path.Combine(scratch, "fill"));
                for (var i = 0; i < 16; i++)
                    fill.Write(new byte[1 << 20]);
                fill.Flush(flushToDisk: true);
            });
            Assert.True(TransientFailures.IsTransient(full), $"ENOSPC from .NET is waited out (HResult {full.HResult})");

            // libvips says only "unable to write to target"; the disk's free space tells a full disk from a bad image.
            var encoding = Assert.ThrowsAny<Exception>(() =>
            {
                using var image = NetVips.Image.Black(1024, 1024);
                image.WriteToFile(Path.Combine(scratch, "result.png"));
            });
            var failure = ScratchFullException.When(scratch, new UpscaleFarm.Imaging.ImageOutputException("encoding failed", encoding));
            Assert.IsType<ScratchFullException>(failure);
            Assert.True(TransientFailures.IsTransient(failure));
            Assert.Equal("the farm's scratch disk is full", PublicErrors.Describe(failure));

            // On a disk with room (this machine's temporary directory), an encoder's failure is the image's.
            var roomy = new UpscaleFarm.Imaging.ImageOutputException("encoding failed");
            Assert.Same(roomy, ScratchFullException.When(Path.GetTempPath(), roomy));
            Assert.False(TransientFailures.IsTransient(roomy));
        }
        finally
        {
            Run("umount", scratch);
        }
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(command, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task A_ride_through_retries_an_outage_and_returns_the_answer()
    {
        var tries = 0;
        var waits = new List<TimeSpan>();
        var answer = await TransientFailures.RideThroughAsync(_ => ++tries < 3 ? throw new TimeoutException() : Task.FromResult(42),
            TimeSpan.FromSeconds(10), CancellationToken.None, (_, wait) => { waits.Add(wait); return Task.CompletedTask; });

        Assert.Equal((42, 3), (answer, tries));
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], waits); // the farm's backoff
    }

    [Fact]
    public async Task A_ride_through_gives_up_past_the_tolerance_and_passes_other_failures_at_once()
    {
        var watch = Stopwatch.StartNew();
        var tries = 0;
        await Assert.ThrowsAsync<TimeoutException>(() =>
            TransientFailures.RideThroughAsync<int>(_ => { tries++; throw new TimeoutException(); }, TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(3, tries); // waits of 1 and 2 s make the 3 s, then the last try's failure is the caller's
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));

        tries = 0;
        await Assert.ThrowsAsync<ArgumentException>(() =>
            TransientFailures.RideThroughAsync<int>(_ => { tries++; throw new ArgumentException("bad"); }, TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(1, tries);
    }
}
