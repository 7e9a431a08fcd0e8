namespace UpscaleFarm.Farm.Messaging;

/// <summary>
/// Wakes a background loop that otherwise looks at its interval, when this process just made work for it.
/// Any number of notifications before the loop looks are one look. Each loop has its own subclass, so each is
/// its own singleton.
/// </summary>
public abstract class WakeSignal
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
            // Already signalled: the loop will look once for all of them.
        }
    }

    /// <summary>Returns when notified or after <paramref name="interval"/>.</summary>
    public async Task WaitAsync(TimeSpan interval, CancellationToken cancellation) => await _wake.WaitAsync(interval, cancellation);
}
