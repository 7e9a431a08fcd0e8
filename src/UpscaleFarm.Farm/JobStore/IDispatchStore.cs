namespace UpscaleFarm.Farm.JobStore;

/// <summary>The coordinator's dispatch and reconciliation: which planned tiles go to the tile queue next, and what goes back when a message or a process is lost.</summary>
public interface IDispatchStore
{
    /// <summary>
    /// Claims planned tiles of running jobs for the tile queue, pack by pack (<see cref="Packing.TilePacker"/>): highest job
    /// priority first; within a priority, tenants share (each pack goes to the tenant with the fewest packs in the queue for
    /// its <see cref="JobRecord.Weight"/>), and a tenant's packs come from its oldest job, frame and tile first. No more than
    /// <paramref name="window"/> packs in the queue altogether (claimed and unfinished), nor <paramref name="maxQueued"/>
    /// of them not yet started by a worker. A tile is claimed once, however many coordinators ask at the same time.
    /// </summary>
    Task<TileClaim> ClaimTilesAsync(int window, int maxQueued = int.MaxValue, CancellationToken cancellation = default);

    /// <summary>Tiles of running jobs in the tile queue (claimed, unfinished) and waiting in the store to be claimed.</summary>
    Task<(int Queued, int Waiting)> CountDispatchAsync(CancellationToken cancellation = default);

    /// <summary>Makes claimed tiles claimable again (their messages were not sent).</summary>
    Task ReleaseTilesAsync(IReadOnlyList<TileDispatch> tiles, CancellationToken cancellation = default);

    /// <summary>Work stalled since before <paramref name="beforeMs"/> for want of its next message (<see cref="StalledWork"/>), at most <paramref name="limit"/> of each kind.</summary>
    Task<StalledWork> FindStalledAsync(long beforeMs, int limit, CancellationToken cancellation = default);

    /// <summary>
    /// Makes claimable again the tiles claimed for the queue before <paramref name="claimedBeforeMs"/> that no
    /// worker has started: a coordinator that died between claiming and sending them left them counted in the
    /// window but in no queue. (A tile merely waiting that long in the queue is sent twice; the second copy finds it done.)
    /// </summary>
    Task<int> ReleaseUnstartedTilesAsync(long claimedBeforeMs, CancellationToken cancellation = default);

    /// <summary>Makes the unfinished tiles of running jobs claimable again, after a restart lost the queue that held them.</summary>
    Task<int> ReleaseAllTilesAsync(CancellationToken cancellation = default);
}
