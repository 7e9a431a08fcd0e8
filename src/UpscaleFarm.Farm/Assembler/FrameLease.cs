using UpscaleFarm.Farm.JobStore;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// A frame leased to this assembler for writing its result (<see cref="IFrameWriterStore.LeaseFrameAsync"/>), renewed every third
/// of Assembler:WriterLeaseSeconds until disposed, then released. <see cref="Lost"/> is cancelled when a renewal finds the
/// lease taken, or when the job store could not be reached to renew it before it ended: another assembler may write the
/// frame from then on, so this one stops.
/// </summary>
internal sealed class FrameLease : IAsyncDisposable
{
    private readonly IFrameWriterStore _store;
    private readonly Guid _jobId;
    private readonly int _frame;
    private readonly string _writer;
    private readonly TimeSpan _duration;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    /// <summary>For a lease this writer has just taken, ending <paramref name="duration"/> from now.</summary>
    public FrameLease(IFrameWriterStore store, Guid jobId, int frame, string writer, TimeSpan duration)
    {
        (_store, _jobId, _frame, _writer, _duration) = (store, jobId, frame, writer, duration);
        _renewing = RenewAsync();
    }

    public CancellationToken Lost => _lost.Token;

    /// <summary>Takes the frame's lease if it is free or ended; null if another writer holds it.</summary>
    public static async Task<FrameLease?> TakeAsync(IFrameWriterStore store, Guid jobId, int frame, string writer, TimeSpan duration, CancellationToken cancellation)
    {
        var now = Clock.NowMs;
        return await store.LeaseFrameAsync(jobId, frame, writer, now, now + (long)duration.TotalMilliseconds, cancellation)
            ? new FrameLease(store, jobId, frame, writer, duration)
            : null;
    }

    private async Task RenewAsync()
    {
        var endsAt = Clock.NowMs + (long)_duration.TotalMilliseconds;
        try
        {
            while (true)
            {
                await Task.Delay(_duration / 3, _stop.Token);
                try
                {
                    var now = Clock.NowMs;
                    if (!await _store.LeaseFrameAsync(_jobId, _frame, _writer, now, now + (long)_duration.TotalMilliseconds, _stop.Token))
                        break;
                    endsAt = now + (long)_duration.TotalMilliseconds;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A store outage: the lease still holds until it ends; after that another writer may have it.
                    if (Clock.NowMs >= endsAt)
                        break;
                }
            }
            await _lost.CancelAsync();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewing;
        try
        {
            // Released at once, so that a frame this writer gave up on is taken again without waiting for the lease to end.
            await _store.ReleaseFrameAsync(_jobId, _frame, _writer, CancellationToken.None);
        }
        catch (Exception)
        {
            // It then ends by itself.
        }
        _stop.Dispose();
        _lost.Dispose();
    }
}
