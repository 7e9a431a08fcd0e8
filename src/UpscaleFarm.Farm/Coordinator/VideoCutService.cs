using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Video;

namespace UpscaleFarm.Farm.Coordinator;

/// <summary>
/// Cuts started video jobs' videos into their frames (<see cref="VideoCutter"/>), at most Farm:Coordinator:MaxVideoCuts
/// at once in this process, so its scratch holds at most that many videos and their decoded frames however many video
/// jobs the tenants send. The waiting cuts are taken tenant by tenant (<see cref="Next"/>): a tenant with twenty videos
/// waiting holds one place while another tenant's video is waiting, not twenty.
/// <para>
/// The cuts wait in the job store (<see cref="IVideoCutStore"/>), not in a queue: a coordinator leases the one it cuts,
/// renews the lease while it runs and gives it up when it stops, so a cut whose coordinator died is taken by another
/// (or by itself, restarted) once the lease has run out, and two coordinators never cut the same video while both are
/// alive. A cut whose job ends (cancelled, failed) is stopped within about a second, and its scratch goes with it.
/// The frames are recorded with a JobSubmitted (<see cref="JobLifecycle.RecordVideoFramesAsync"/>), which has them
/// planned like any job's.
/// </para>
/// </summary>
public sealed class VideoCutService(IVideoCutStore cuts, IJobQueries jobs, VideoCutter cutter, JobLifecycle lifecycle, VideoCutSignal signal,
    IOptions<FarmOptions> options, ILogger<VideoCutService> logger) : BackgroundService
{
    /// <summary>How often the waiting cuts are looked at when nothing wakes the service sooner (a cut another coordinator gave up).</summary>
    private static readonly TimeSpan LookInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often a running cut looks at its job's state: how soon a cancelled job's cut stops.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a lease holds without renewal, and how often it is renewed: a dead coordinator's cut waits at most this long.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60), Renewal = TimeSpan.FromSeconds(10);

    /// <summary>A cut failing for any reason but an unavailable dependency or the video itself is tried this many times.</summary>
    private const int MaxAttempts = 3;

    private readonly Dictionary<Guid, Task> _running = [];
    // When this process last started a cut of each tenant's: of two tenants with none running, the one served longer ago goes first.
    private readonly Dictionary<string, long> _lastStartedMs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, Retry> _retries = new();

    private string Cutter => options.Value.Instance;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await StartCutsAsync(stopping);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Looking for videos to cut failed; looking again in {Seconds} s", LookInterval.TotalSeconds);
                }
                await signal.WaitAsync(LookInterval, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // The running cuts were cancelled with stopping: each gives its lease up as it ends.
            await Task.WhenAll(_running.Values);
        }
    }

    private async Task StartCutsAsync(CancellationToken stopping)
    {
        foreach (var ended in _running.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList())
            _running.Remove(ended);
        var max = options.Value.Coordinator.MaxVideoCuts;
        if (_running.Count >= max)
            return;
        var waiting = (await cuts.ListVideoCutsAsync(stopping)).ToList();
        while (_running.Count < max)
        {
            var now = Clock.NowMs;
            var next = Next(waiting, now, _lastStartedMs, jobId => !_running.ContainsKey(jobId) && Due(jobId, now));
            if (next is null)
                return;
            waiting.Remove(next);
            if (!await cuts.LeaseVideoCutAsync(next.JobId, Cutter, now, now + (long)Lease.TotalMilliseconds, stopping))
                continue; // another coordinator took it meanwhile
            _lastStartedMs[next.Tenant] = now;
            // Counted as running from now on: the tenant's next cut waits behind every other tenant's.
            waiting.Add(next with { Cutter = Cutter, LeaseUntilMs = now + (long)Lease.TotalMilliseconds });
            _running[next.JobId] = Task.Run(() => CutAsync(next.JobId, stopping), CancellationToken.None);
        }
    }

    /// <summary>
    /// The cut to take next, of those <paramref name="ready"/> and not leased: the tenant with the fewest cuts running
    /// anywhere first, then the tenant whose last cut here started longest ago, then the job's priority, then its age.
    /// Null when none is free.
    /// </summary>
    public static QueuedVideoCut? Next(IReadOnlyList<QueuedVideoCut> cuts, long nowMs, IReadOnlyDictionary<string, long> lastStartedMs,
        Func<Guid, bool> ready)
    {
        var running = cuts.Where(c => c.IsLeasedAt(nowMs)).CountBy(c => c.Tenant).ToDictionary(StringComparer.Ordinal);
        return cuts.Where(c => !c.IsLeasedAt(nowMs) && ready(c.JobId))
            .OrderBy(c => running.GetValueOrDefault(c.Tenant))
            .ThenBy(c => lastStartedMs.TryGetValue(c.Tenant, out var started) ? started : long.MinValue)
            .ThenByDescending(c => c.Priority)
            .ThenBy(c => c.CreatedMs)
            .ThenBy(c => c.JobId)
            .FirstOrDefault();
    }

    private bool Due(Guid jobId, long nowMs) => !_retries.TryGetValue(jobId, out var retry) || retry.NotBeforeMs <= nowMs;

    private async Task CutAsync(Guid jobId, CancellationToken stopping)
    {
        using var cutting = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watch = WatchAsync(jobId, cutting);
        try
        {
            if (await jobs.GetJobAsync(jobId, cutting.Token) is not { } job || job.State != JobState.Running
                || await cuts.GetVideoCutAsync(jobId, cutting.Token) is not { } cut)
                return;
            using var activity = FarmTelemetry.StartJobActivity("cut video", job.Id, job.Tenant, job.TraceParent);
            await cutter.CutAsync(job, cut, cutting.Token);
            _retries.TryRemove(jobId, out _);
        }
        catch (VideoException e)
        {
            // e.Message is fixed text for the tenant; e.Detail (ffmpeg's stderr, with this server's paths) is for the operator.
            logger.LogWarning("Job {JobId}: its video could not be cut: {Reason} ({Detail})", jobId, e.Message, e.Detail);
            await EndAsync(jobId, e.Message);
        }
        catch (OperationCanceledException) when (cutting.IsCancellationRequested)
        {
            if (!stopping.IsCancellationRequested)
                logger.LogInformation("Job {JobId}: cutting its video stopped, as the job ended or another coordinator took the cut", jobId);
        }
        catch (Exception e)
        {
            await RetryLaterAsync(jobId, e);
        }
        finally
        {
            await cutting.CancelAsync();
            await watch;
            await ReleaseAsync(jobId);
            signal.Notify();
        }
    }

    /// <summary>
    /// While the cut runs: stops it when its job is no longer running or another coordinator holds its lease (this one was
    /// stopped past the lease), and renews the lease.
    /// </summary>
    private async Task WatchAsync(Guid jobId, CancellationTokenSource cutting)
    {
        var renewed = Clock.NowMs;
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, cutting.Token);
                var now = Clock.NowMs;
                if (now - renewed >= Renewal.TotalMilliseconds)
                {
                    if (!await cuts.LeaseVideoCutAsync(jobId, Cutter, now, now + (long)Lease.TotalMilliseconds, cutting.Token))
                        break;
                    renewed = now;
                }
                if (await jobs.GetJobAsync(jobId, cutting.Token) is not { } job || job.State != JobState.Running)
                    break;
            }
            await cutting.CancelAsync();
        }
        catch (OperationCanceledException) when (cutting.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The job store unavailable: the cut goes on (its own writes will wait or fail), the lease runs out at worst.
            logger.LogWarning(e, "Job {JobId}: watching its video's cut failed; the cut goes on unwatched", jobId);
        }
    }

    /// <summary>
    /// A failure that is not the video's: an unavailable dependency or a full scratch disk is waited out, on the farm's
    /// backoff, for up to Farm:OutageToleranceSeconds; anything else is tried <see cref="MaxAttempts"/> times. Then the job
    /// fails, saying what failed without how.
    /// </summary>
    private async Task RetryLaterAsync(Guid jobId, Exception e)
    {
        var now = Clock.NowMs;
        var retry = _retries.AddOrUpdate(jobId, _ => new Retry(1, now, 0), (_, r) => r with { Failures = r.Failures + 1 });
        var transient = TransientFailures.IsTransient(e);
        var exhausted = transient
            ? now - retry.FirstFailureMs > options.Value.OutageToleranceSeconds * 1000L
            : retry.Failures >= MaxAttempts;
        if (exhausted)
        {
            logger.LogError(e, "Job {JobId}: cutting its video failed {Failures} times; the job fails", jobId, retry.Failures);
            _retries.TryRemove(jobId, out _);
            await EndAsync(jobId, $"cutting the video failed: {PublicErrors.Describe(e)}");
            return;
        }
        var wait = TransientFailures.Backoff(retry.Failures - 1);
        _retries[jobId] = retry with { NotBeforeMs = now + (long)wait.TotalMilliseconds };
        logger.LogWarning(e, "Job {JobId}: cutting its video failed; it is tried again in {Seconds} s", jobId, wait.TotalSeconds);
    }

    private async Task EndAsync(Guid jobId, string reason)
    {
        try
        {
            await lifecycle.FailAsync(jobId, reason, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The cut's row stays: the job is cut again, and fails again, once the job store answers.
            logger.LogWarning(e, "Job {JobId}: failing it failed", jobId);
        }
    }

    private async Task ReleaseAsync(Guid jobId)
    {
        try
        {
            await cuts.ReleaseVideoCutAsync(jobId, Cutter, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Job {JobId}: giving up the lease of its video's cut failed; it runs out in {Seconds} s", jobId, Lease.TotalSeconds);
        }
    }

    private sealed record Retry(int Failures, long FirstFailureMs, long NotBeforeMs);
}
