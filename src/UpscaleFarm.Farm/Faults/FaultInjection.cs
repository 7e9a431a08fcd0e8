using System.Diagnostics;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Faults;

/// <summary>
/// Crash windows made on purpose, for tests: at a named checkpoint right after a committed state change, throw once
/// (as a failing step would leave things: its message is retried, the rest of the process lives on) or kill this
/// process outright (SIGKILL: nothing after the commit runs, not even a graceful shutdown). Configured by
/// Farm:FaultInjection:ThrowOnceAt and :KillAt (lists of checkpoint names); empty in production, where each
/// checkpoint is one set lookup.
/// </summary>
public sealed class FaultInjection(IOptions<FarmOptions> options)
{
    /// <summary>TileDispatcher: tiles are claimed in the job store, not yet published (the coordinator "dies" there).</summary>
    public const string TilesClaimed = "tiles-claimed";

    /// <summary>JobLifecycle: the job row and its JobSubmitted are committed; the outbox relay is not yet woken.</summary>
    public const string JobCreated = "job-created";

    /// <summary>JobLifecycle: the tile that completes its frame is counted and its FrameReady committed; the relay is not yet woken.</summary>
    public const string FrameTilesCounted = "frame-tiles-counted";

    /// <summary>
    /// JobLifecycle: the last frame is assembled and, in the same commit, the job completed with its JobCompleted (a
    /// video job: its MuxVideo); the relay is not yet woken.
    /// </summary>
    public const string LastFrameAssembled = "last-frame-assembled";

    private readonly HashSet<string> _armed = new(options.Value.FaultInjection.ThrowOnceAt, StringComparer.Ordinal);
    private readonly HashSet<string> _lethal = new(options.Value.FaultInjection.KillAt, StringComparer.Ordinal);

    /// <summary>
    /// Kills the process at a <paramref name="checkpoint"/> armed to kill; throws <see cref="InjectedFaultException"/>
    /// the first time one armed to throw is reached.
    /// </summary>
    public void At(string checkpoint)
    {
        if (Fires(checkpoint))
            throw new InjectedFaultException(checkpoint);
    }

    /// <summary>
    /// Kills the process at a <paramref name="checkpoint"/> armed to kill; true the first time one armed to throw is
    /// reached: the caller then stops as a dying process would.
    /// </summary>
    public bool Fires(string checkpoint)
    {
        if (_lethal.Count > 0 && _lethal.Contains(checkpoint))
        {
            // SIGKILL on Unix: no finally block, hosted service or bus gets to run.
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
        if (_armed.Count == 0)
            return false;
        lock (_armed)
            return _armed.Remove(checkpoint);
    }
}
