using System.Diagnostics;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Testing;

/// <summary>
/// A crash window made on purpose: subscribed to a farm host's <see cref="FarmDiagnostics"/>, at a named checkpoint right
/// after a committed state change it throws once (as a failing step would leave things: its message is retried, the rest
/// of the process lives on) or kills the process outright (SIGKILL: nothing after the commit runs, not even a graceful
/// shutdown).
/// </summary>
public sealed class CheckpointFault : IObserver<KeyValuePair<string, object?>>
{
    private readonly string _checkpoint;
    private readonly bool _kills;
    private int _thrown;

    private CheckpointFault(string checkpoint, bool kills) => (_checkpoint, _kills) = (checkpoint, kills);

    /// <summary>Throws <see cref="InjectedFaultException"/> the first time the farm reaches <paramref name="checkpoint"/>; until disposed.</summary>
    public static IDisposable ThrowOnceAt(FarmDiagnostics diagnostics, string checkpoint) => new CheckpointFault(checkpoint, kills: false).Subscribe(diagnostics);

    /// <summary>Kills this process when the farm reaches <paramref name="checkpoint"/>.</summary>
    public static IDisposable KillAt(FarmDiagnostics diagnostics, string checkpoint) => new CheckpointFault(checkpoint, kills: true).Subscribe(diagnostics);

    private IDisposable Subscribe(FarmDiagnostics diagnostics) => diagnostics.Listener.Subscribe(this, name => name == _checkpoint);

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key != _checkpoint)
            return;
        if (_kills)
        {
            // SIGKILL on Unix: no finally block, hosted service or bus gets to run.
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
        if (Interlocked.Exchange(ref _thrown, 1) == 0)
            throw new InjectedFaultException(_checkpoint);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
