using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;

namespace UpscaleFarm.Api.Events;

/// <summary>
/// Follows the jobs that event streams are open on, for all of them with one job-store query per poll however many
/// streams there are (each stream once read its own job four times a second), and caps the streams a tenant may hold
/// open in this process (<c>Api:Tenants:N:MaxEventStreams</c>). While the job store is unavailable it polls on the
/// farm's outage schedule (1, 2, 4, 8, then every 10 s) and tells the streams each wait, and past
/// Farm:OutageToleranceSeconds that the outage lasts too long.
/// </summary>
public sealed class JobWatcher(IJobQueries store, IOptions<FarmOptions> farm, ILogger<JobWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, FollowedJob> _jobs = [];
    private readonly Dictionary<string, int> _streams = [];

    /// <summary>
    /// Follows <paramref name="job"/> (just read, and the caller's) for one more stream of <paramref name="holder"/>
    /// (a tenant, or the admin); null if the holder already has <paramref name="maxStreams"/> open.
    /// </summary>
    public JobWatch? Open(string holder, JobRecord job, int maxStreams)
    {
        lock (_lock)
        {
            var open = _streams.GetValueOrDefault(holder);
            if (open >= maxStreams)
                return null;
            _streams[holder] = open + 1;
            var id = job.Id;
            if (!_jobs.TryGetValue(id, out var followed))
                _jobs[id] = followed = new FollowedJob(job);
            followed.Streams++;
            return new JobWatch(followed, () => Release(holder, id));
        }
    }

    /// <summary>Event streams open in this process for <paramref name="holder"/>.</summary>
    public int StreamsOf(string holder)
    {
        lock (_lock)
            return _streams.GetValueOrDefault(holder);
    }

    private void Release(string holder, Guid id)
    {
        lock (_lock)
        {
            if (--_streams[holder] == 0)
                _streams.Remove(holder);
            if (_jobs.TryGetValue(id, out var followed) && --followed.Streams == 0)
                _jobs.Remove(id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        var tolerance = TimeSpan.FromSeconds(farm.Value.OutageToleranceSeconds);
        var waits = TransientFailures.RetryIntervals(tolerance);
        var failures = 0;
        var outageSince = TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!stopping.IsCancellationRequested)
        {
            KeyValuePair<Guid, FollowedJob>[] followed;
            lock (_lock)
                followed = [.. _jobs];
            var wait = PollInterval;
            if (followed.Length > 0)
            {
                try
                {
                    var rows = await store.GetJobsAsync([.. followed.Select(f => f.Key)], stopping);
                    foreach (var (id, job) in followed)
                        job.Saw(rows.GetValueOrDefault(id));
                    failures = 0;
                }
                catch (Exception e) when (TransientFailures.IsTransient(e) && !stopping.IsCancellationRequested)
                {
                    if (failures == 0)
                        outageSince = clock.Elapsed;
                    wait = waits[Math.Min(failures++, waits.Length - 1)];
                    var tooLong = clock.Elapsed - outageSince > tolerance;
                    logger.LogDebug(e, "Event streams: the job store is unavailable; trying again in {Wait}", wait);
                    var outage = $"{PublicErrors.DependencyOf(e) ?? "a service the farm depends on"} is {(tooLong ? "still unavailable; reconnect later" : $"unavailable; retrying in {wait.TotalSeconds:0} s")}";
                    foreach (var (_, job) in followed)
                        job.Failed(outage, tooLong);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Event streams: could not read their jobs; trying again");
                }
            }
            try
            {
                await Task.Delay(wait, stopping);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>A job some streams follow, and the snapshot they read.</summary>
    public sealed class FollowedJob
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // Written by the watcher's loop alone, read by the streams.
        private volatile JobSnapshot _current;

        public FollowedJob(JobRecord job) => _current = new JobSnapshot(job, _next.Task);

        /// <summary>Streams following it; under the watcher's lock.</summary>
        public int Streams { get; set; }

        public JobSnapshot Current => _current;

        /// <summary>The row as the last poll read it: published if it changed (or the job is gone, or an outage ended).</summary>
        public void Saw(JobRecord? job)
        {
            var last = Current;
            if (job is not null && last.Job is not null && last.Outage is null && JobEventStream.EventId(job) == JobEventStream.EventId(last.Job))
                return;
            Publish(next => new JobSnapshot(job, next));
        }

        public void Failed(string outage, bool tooLong) => Publish(next => Current with { Next = next, Outage = outage, OutageTooLong = tooLong });

        private void Publish(Func<Task, JobSnapshot> snapshot)
        {
            var done = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _current = snapshot(_next.Task);
            done.TrySetResult();
        }
    }
}
