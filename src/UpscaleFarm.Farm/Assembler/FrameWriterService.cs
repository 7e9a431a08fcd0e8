using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Writes frames' results while their tiles are still being upscaled (Assembler:Progressive). As soon as a frame is
/// planned, one assembler leases it in the job store (<see cref="IFrameWriterStore.LeaseNextFrameAsync"/>) and writes its
/// result row of tiles by row as each row's tiles are done (<see cref="FrameWriter"/>), woken by the tiles it counts
/// (<see cref="TileCompletedSignal"/>) or its poll. It runs here, not in a consumer, so no delivery stays unacknowledged
/// for a frame's whole upscale. A writer that dies (SIGKILL) leaves its lease to end; another assembler then leases the frame
/// and writes it again from its first row: the tiles stay in the object store until the frame is recorded.
/// </summary>
public sealed class FrameWriterService(IFrameWriterStore leases, FrameWriter writer, JobLifecycle lifecycle, FrameLeaseNames names,
    IOptions<FarmOptions> options, ILogger<FrameWriterService> logger) : BackgroundService
{
    /// <summary>Failed writes of one frame, in this process, before a failure that is not an outage is taken to recur and fails the job.</summary>
    public const int MaxWriteAttempts = 3;

    // (job, frame) → failed writes in a row that were not an outage; under its own lock (the writing loops share it).
    private readonly Dictionary<(Guid Job, int Frame), int> _failures = [];

    private AssemblerOptions Settings => options.Value.Assembler;
    private TimeSpan Poll => TimeSpan.FromMilliseconds(Math.Max(10, Settings.WriterPollMs));
    private TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, Settings.WriterLeaseSeconds));

    protected override Task ExecuteAsync(CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, Settings.ConcurrentFrames)).Select(_ => Task.Run(() => WriteFramesAsync(stopping), stopping)));

    /// <summary>
    /// One frame at a time: leases the next frame to write, or waits for one. Assembler:ConcurrentFrames of these run, each
    /// holding its strips. A frame none of them has leased (all busy, say with a lower-priority job's frame still being
    /// upscaled) is assembled whole from its FrameReady, outside these, so it never waits for their frames.
    /// </summary>
    private async Task WriteFramesAsync(CancellationToken stopping)
    {
        // Failures in a row (an outage): the loop backs off on the farm's one schedule.
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            FrameRecord? frame = null;
            try
            {
                var wrote = false;
                var now = Clock.NowMs;
                var holder = names.NewHolder();
                if ((frame = await leases.LeaseNextFrameAsync(holder, now, now + (long)Lease.TotalMilliseconds, stopping)) is not null)
                {
                    await using var lease = new FrameLease(leases, frame.JobId, frame.Frame, holder, Lease);
                    wrote = await WriteAsync(frame, lease, stopping);
                    Forget(frame);
                }
                failures = 0;
                if (!wrote)
                    await Task.Delay(Poll, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                if (frame is not null && await FailsAgainAsync(frame, e))
                    continue;
                // The lease is released: this or another assembler writes the frame again (or FrameReady assembles it).
                var wait = TransientFailures.Backoff(failures++);
                logger.LogWarning(e, "A progressive frame write failed; the frame is written again, from its first row, in {Seconds} s or by another assembler",
                    wait.TotalSeconds);
                await Task.Delay(wait, stopping).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Counts a failed write that was not an outage (those are waited out, however long they last); the
    /// <see cref="MaxWriteAttempts"/>th in a row is taken to recur (an image the encoder refuses, a bug) and fails the
    /// job with what its owner may read of it, instead of writing the frame again for ever. True if it failed the job.
    /// </summary>
    private async Task<bool> FailsAgainAsync(FrameRecord frame, Exception e)
    {
        if (TransientFailures.IsTransient(e) || e is Housekeeping.ScratchFullException)
            return false;
        var key = (frame.JobId, frame.Frame);
        int attempts;
        lock (_failures)
            _failures[key] = attempts = _failures.GetValueOrDefault(key) + 1;
        if (attempts < MaxWriteAttempts)
            return false;
        Forget(frame);
        logger.LogError(e, "Frame {Frame} of job {JobId} failed {Attempts} times in a row; its job fails", frame.Frame, frame.JobId, attempts);
        try
        {
            await lifecycle.FailAsync(frame.JobId, $"frame {frame.Frame} could not be written: {PublicErrors.Describe(e)}", CancellationToken.None);
            return true;
        }
        catch (Exception failure) when (TransientFailures.IsTransient(failure))
        {
            return false; // the job store is away: the next failed write tries again
        }
    }

    private void Forget(FrameRecord frame)
    {
        lock (_failures)
            _failures.Remove((frame.JobId, frame.Frame));
    }

    /// <returns>True if the frame was written and recorded.</returns>
    private async Task<bool> WriteAsync(FrameRecord frame, FrameLease lease, CancellationToken stopping)
    {
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease.Lost);
        try
        {
            if (!await writer.WriteAsync(frame.JobId, frame.Frame, FrameWriter.Progressive, writing.Token, CancellationToken.None))
                return false;
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested && lease.Lost.IsCancellationRequested)
        {
            logger.LogWarning("Lost the lease of frame {Frame} of job {JobId} while writing it; another assembler writes it", frame.Frame, frame.JobId);
            return false;
        }
        catch (JobEndedException)
        {
            return false;
        }
        logger.LogInformation("Frame {Frame} of job {JobId} written progressively", frame.Frame, frame.JobId);
        return true;
    }
}
