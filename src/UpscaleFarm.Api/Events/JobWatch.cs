namespace UpscaleFarm.Api.Events;

/// <summary>One event stream's hold on a followed job (<see cref="JobWatcher.Open"/>): released when the stream ends.</summary>
public sealed class JobWatch(JobWatcher.FollowedJob job, Action release) : IDisposable
{
    private int _disposed;

    public JobSnapshot Current => job.Current;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            release();
    }
}
