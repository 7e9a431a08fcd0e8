using System.Diagnostics;

namespace UpscaleFarm.Farm.Telemetry;

/// <summary>
/// The farm's <see cref="DiagnosticListener"/> ("UpscaleFarm.Farm"), one per farm host: a named event right after each
/// committed state change whose follow-up has not happened yet (its outbox relay not yet woken, its claimed tiles not
/// yet sent): the crash windows the outbox and the reconciler close. A diagnostic tool may watch them; the fault tests
/// subscribe and fail or kill the process there. Without a subscriber each point costs one <c>IsEnabled</c> check.
/// </summary>
public sealed class FarmDiagnostics : IDisposable
{
    public const string Name = "UpscaleFarm.Farm";

    /// <summary>TileDispatcher: tiles are claimed in the job store, not yet published.</summary>
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

    public DiagnosticListener Listener { get; } = new(Name);

    /// <summary>Tells the subscribers that the change before <paramref name="checkpoint"/> is committed; a subscriber's exception reaches the caller.</summary>
    public void Committed(string checkpoint)
    {
        if (Listener.IsEnabled(checkpoint))
            Listener.Write(checkpoint, null);
    }

    public void Dispose() => Listener.Dispose();
}
