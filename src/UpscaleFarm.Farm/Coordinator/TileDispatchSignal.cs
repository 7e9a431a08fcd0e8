namespace UpscaleFarm.Farm.Coordinator;

/// <summary>Wakes the <see cref="TileDispatcher"/> when this process planned tiles, instead of at its next interval.</summary>
public sealed class TileDispatchSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the dispatcher will look once for all of them.
        }
    }

    /// <summary>Returns when notified or after <paramref name="interval"/>.</summary>
    public async Task WaitAsync(TimeSpan interval, CancellationToken cancellation) => await _wake.WaitAsync(interval, cancellation);
}
