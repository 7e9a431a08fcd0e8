namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The state changes that carry a job on, inside one job-store transaction (<see cref="IJobTransactions.TransactAsync{T}"/>),
/// with the messages they imply written to the outbox in that same transaction: when it commits, the change and its
/// messages are there together, and when it does not, neither is. Each change is a conditional update, so a
/// repeated call changes nothing and returns false (or an uncounted <see cref="TileCount"/>): its caller then
/// enqueues nothing either. <see cref="Lifecycle.JobLifecycle"/> is the one place that pairs changes with messages.
/// </summary>
public interface IJobTransaction
{
    Task CreateJobAsync(JobRecord job, IReadOnlyList<FrameSource> frames);

    /// <summary>Records a video job's source as still to be cut into its frames (<see cref="IVideoCutStore"/>).</summary>
    Task AddVideoCutAsync(VideoCut cut);

    /// <summary>
    /// Records the frames cut from a running job's video: the frames, the job's frame count, its reservation raised to
    /// <paramref name="reservedBytes"/> if the frames need more than the headers promised, and the cut's row removed.
    /// False, changing nothing, when the row was already gone (another coordinator recorded the frames) or the job is
    /// no longer running.
    /// </summary>
    Task<bool> RecordVideoFramesAsync(Guid jobId, IReadOnlyList<FrameSource> frames, long reservedBytes);

    /// <summary>Marks a pack's tiles (the pack named by its first tile) done and counts them, exactly once however often it is called.</summary>
    Task<TileCount> CompletePackAsync(Guid jobId, int frame, int pack, string worker, long inferenceMs, long nowMs);

    /// <summary>
    /// Marks many packs done and counts their tiles, each exactly once however often it is reported: one update per pack,
    /// then one per frame and one per job for all of them. Returns the frames whose last tiles these were.
    /// </summary>
    Task<IReadOnlyList<(Guid JobId, int Frame)>> CompletePacksAsync(IReadOnlyList<PackCompletion> packs, long nowMs);

    /// <summary>Marks a frame assembled; returns true for the one call that assembles the job's last frame.</summary>
    Task<bool> CompleteFrameAsync(Guid jobId, int frame, string resultKey, long nowMs);

    /// <summary>Moves a running job to completed, with its job-wide result if any; true for the one call that does.</summary>
    Task<bool> CompleteJobAsync(Guid jobId, string? resultKey, long nowMs);

    /// <summary>Moves an unfinished job to failed or cancelled; false if it had already finished.</summary>
    Task<bool> FinishJobAsync(Guid jobId, JobState state, string? reason, long nowMs);

    /// <summary>The job's frames as this transaction sees them (its own changes included).</summary>
    Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId);

    /// <summary>Writes <paramref name="message"/> (one of the farm's contracts, <see cref="Outbox.OutboxCodec"/>) to the outbox.</summary>
    Task EnqueueAsync(object message, long nowMs);

    /// <summary>Messages written to the outbox in this transaction so far.</summary>
    int Enqueued { get; }
}
