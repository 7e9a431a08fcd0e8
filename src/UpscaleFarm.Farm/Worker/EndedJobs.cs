using System.Collections.Concurrent;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// The jobs this worker holds packs of, each with a token that is cancelled when the job is cancelled or fails
/// (<see cref="JobEndedOnWorkerConsumer"/>): its packs stop downloading, their tiles still waiting for the model are
/// dropped, and a pack in inference is abandoned at its next batch. A job that ended is remembered for a while, so a pack
/// of it that arrives later (still in the queue, or redelivered) is dropped at once.
/// </summary>
public sealed class EndedJobs
{
    private static readonly TimeSpan Remembered = TimeSpan.FromMinutes(10);
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, (CancellationTokenSource Ended, int Packs)> _held = [];
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _ended = new();

    /// <summary>Holds a pack of <paramref name="jobId"/> until the returned handle is disposed; its token is cancelled if the job ends.</summary>
    public Hold Watch(Guid jobId)
    {
        lock (_lock)
        {
            if (!_held.TryGetValue(jobId, out var held))
                held = (new CancellationTokenSource(), 0);
            _held[jobId] = (held.Ended, held.Packs + 1);
            if (_ended.ContainsKey(jobId))
                held.Ended.Cancel();
            return new Hold(this, jobId, held.Ended.Token);
        }
    }

    /// <summary>The job was cancelled or failed: its packs here stop.</summary>
    public void End(Guid jobId)
    {
        var now = DateTimeOffset.UtcNow;
        _ended[jobId] = now;
        foreach (var (old, at) in _ended)
            if (now - at > Remembered)
                _ended.TryRemove(old, out _);
        // Under the lock: the last pack's release disposes the source, which must not happen between finding and cancelling it.
        lock (_lock)
        {
            if (_held.TryGetValue(jobId, out var held))
                held.Ended.Cancel();
        }
    }

    private void Release(Guid jobId)
    {
        lock (_lock)
        {
            var (ended, packs) = _held[jobId];
            if (packs > 1)
            {
                _held[jobId] = (ended, packs - 1);
                return;
            }
            _held.Remove(jobId);
            ended.Dispose();
        }
    }

    /// <summary>One pack's hold on its job (<see cref="Watch"/>).</summary>
    public sealed class Hold(EndedJobs owner, Guid jobId, CancellationToken ended) : IDisposable
    {
        private int _released;

        /// <summary>Cancelled when the job is cancelled or fails.</summary>
        public CancellationToken Ended { get; } = ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Release(jobId);
        }
    }
}
