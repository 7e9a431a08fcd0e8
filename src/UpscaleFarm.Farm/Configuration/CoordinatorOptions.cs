namespace UpscaleFarm.Farm.Configuration;

public sealed class CoordinatorOptions
{
    /// <summary>
    /// Packs of tiles (<see cref="PackPixels"/>; one tile each when tiles are large) handed to the tile queue and not yet
    /// finished, at most: the queue's messages, which KEDA counts. Planned tiles beyond it wait in the
    /// job store, where a job of higher priority, or another tenant's, overtakes them. Keep it above what the workers
    /// drain in one <see cref="DispatchIntervalMs"/> (or they idle) and at least KEDA's maximum replicas × messages per
    /// replica (or the queue never looks deep enough to scale out to them).
    /// </summary>
    public int DispatchWindow { get; set; } = 512;

    /// <summary>
    /// Of the window, the packs waiting in the queue for a worker (sent, not yet started) are held to about this many
    /// seconds of the workers' pace, measured as packs started per second: a new job (another tenant's, or one of higher
    /// priority) waits for that much queued work and the packs the workers already hold, not for the whole window.
    /// </summary>
    public double QueueSeconds { get; set; } = 1;

    /// <summary>Packs that may wait in the queue however slow the workers' pace (and before it is known): at least 1.</summary>
    public int MinQueuedPacks { get; set; } = 4;

    /// <summary>
    /// Input pixels (halo included) a pack of tiles may hold (<see cref="Packing.TilePacker"/>): small tiles travel as
    /// packs, one message, job-store update and object each way for all of them. The default, 512², leaves tiles of the
    /// models' default size (512 and a halo) one to a pack; 0 or 1 makes every tile a pack of its own.
    /// </summary>
    public long PackPixels { get; set; } = 512 * 512;

    /// <summary>Tiles in one pack, at most (however small): a pack is also what one failure retries and one worker holds.</summary>
    public int MaxPackTiles { get; set; } = 64;

    /// <summary>
    /// Videos this coordinator cuts into frames at once, at most (<see cref="Coordinator.VideoCutService"/>); the others
    /// wait, taken in turn tenant by tenant. Each cut holds its video and up to its tenant's uncompressed-content limit of
    /// decoded frames in the scratch directory, so this bounds the coordinator's scratch; at least 1.
    /// </summary>
    public int MaxVideoCuts { get; set; } = 2;

    /// <summary>How often the dispatcher refills the window when nothing wakes it sooner.</summary>
    public int DispatchIntervalMs { get; set; } = 100;

    /// <summary>How often the reconciler looks for work whose next message was lost (<see cref="Coordinator.Reconciler"/>).</summary>
    public int ReconcileIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// How long a step may wait for its next message before the reconciler sends it again: longer than any
    /// frame's assembly, since a frame re-driven while still being assembled is assembled twice (harmlessly).
    /// </summary>
    public int StalledAfterSeconds { get; set; } = 600;

    /// <summary>
    /// Tiles claimed this long ago and never started while the broker's tile queue is empty were never sent (their
    /// dispatcher died); the reconciler releases them at its next pass instead of after StalledAfterSeconds.
    /// </summary>
    public int EmptyQueueReleaseSeconds { get; set; } = 30;
}
