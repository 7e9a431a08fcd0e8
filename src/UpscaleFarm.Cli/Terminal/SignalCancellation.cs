using System.Runtime.InteropServices;

namespace UpscaleFarm.Cli.Terminal;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into a cancellation instead of an abrupt exit, so a running
/// upscale stops after its current batch of tiles, removes its temporary files and writes no output.
/// </summary>
public sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration[] _registrations;

    public SignalCancellation()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel),
        ];
    }

    public CancellationToken Token => _source.Token;

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true; // keep the process alive until the work unwinds
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _source.Dispose();
    }
}
