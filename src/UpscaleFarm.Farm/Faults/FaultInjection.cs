using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Faults;

/// <summary>
/// Crash windows made on purpose, for tests: at a named checkpoint between a committed state change and
/// the message it implies, throw once, as a process dying there (or a publish failing there) would leave
/// things. Configured by Farm:FaultInjection:ThrowOnceAt (a list of checkpoint names); empty in production,
/// where each checkpoint is one set lookup.
/// </summary>
public sealed class FaultInjection(IOptions<FarmOptions> options)
{
    /// <summary>TileDispatcher: tiles are claimed in the job store, not yet published (the coordinator "dies" there).</summary>
    public const string TilesClaimed = "tiles-claimed";

    /// <summary>FarmClient.CreateAsync: the job row is committed, JobSubmitted not yet published.</summary>
    public const string JobCreated = "job-created";

    /// <summary>TileCompletedConsumer: the tile that completes its frame is counted, FrameReady not yet published.</summary>
    public const string FrameTilesCounted = "frame-tiles-counted";

    /// <summary>FrameReadyConsumer: the last frame is marked assembled, the job not yet completed.</summary>
    public const string LastFrameAssembled = "last-frame-assembled";

    private readonly HashSet<string> _armed = new(options.Value.FaultInjection.ThrowOnceAt, StringComparer.Ordinal);

    /// <summary>Throws <see cref="InjectedFaultException"/> the first time <paramref name="checkpoint"/> is reached, if it is armed.</summary>
    public void At(string checkpoint)
    {
        if (Fires(checkpoint))
            throw new InjectedFaultException(checkpoint);
    }

    /// <summary>True the first time an armed <paramref name="checkpoint"/> is reached: the caller then stops as a dying process would.</summary>
    public bool Fires(string checkpoint)
    {
        if (_armed.Count == 0)
            return false;
        lock (_armed)
            return _armed.Remove(checkpoint);
    }
}
