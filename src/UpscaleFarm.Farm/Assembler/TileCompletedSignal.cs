namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Wakes every progressive frame writer in this process when it counted a tile, instead of at their next poll. Unlike a
/// <see cref="Messaging.WakeSignal"/>, it wakes all waiters: each writer waits for its own frame's rows.
/// </summary>
public sealed class TileCompletedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next notification: take it before looking, so a tile counted meanwhile is not missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
