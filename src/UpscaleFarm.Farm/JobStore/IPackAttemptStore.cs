namespace UpscaleFarm.Farm.JobStore;

/// <summary>The worker's record of its deliveries: each attempt at a pack counted, and its error kept.</summary>
public interface IPackAttemptStore
{
    /// <summary>
    /// Counts a worker's delivery of a pack (named by its first tile) on each of its tiles, unless the job is no longer
    /// running or the pack is done.
    /// </summary>
    /// <param name="count">False for a retry of the same delivery in the same worker: it checks and marks, but counts nothing.</param>
    Task<TileAttempt> BeginPackAttemptAsync(Guid jobId, int frame, int pack, string worker, long nowMs, bool count = true,
        CancellationToken cancellation = default);

    /// <summary>Records the error of a pack's attempt on each of its tiles.</summary>
    Task RecordPackErrorAsync(Guid jobId, int frame, int pack, string error, CancellationToken cancellation = default);
}
