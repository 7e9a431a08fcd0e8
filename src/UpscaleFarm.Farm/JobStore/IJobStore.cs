namespace UpscaleFarm.Farm.JobStore;

/// <summary>
/// The farm's durable state: jobs, frames, tiles, webhook deliveries and the outbox of messages that state changes imply.
/// Every state change is one conditional statement or transaction, so concurrent and repeated calls (redelivered
/// messages, several processes) stay exact: a tile is counted once, a frame assembled once, a job finished once.
/// The changes that imply a message are made in <see cref="TransactAsync{T}"/>, with the message.
/// </summary>
public interface IJobStore
{
    /// <summary>Creates the tables if they are missing (safe to call from several processes at once).</summary>
    Task MigrateAsync(CancellationToken cancellation = default);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed when it returns and rolled back when it throws:
    /// its state changes and the outbox messages it writes are committed together or not at all.
    /// </summary>
    Task<T> TransactAsync<T>(Func<IJobTransaction, Task<T>> work, CancellationToken cancellation = default);

    /// <inheritdoc cref="TransactAsync{T}"/>
    Task TransactAsync(Func<IJobTransaction, Task> work, CancellationToken cancellation = default);

    Task<JobRecord?> GetJobAsync(Guid jobId, CancellationToken cancellation = default);

    /// <summary>The jobs of <paramref name="jobIds"/> that exist, by id, in one query (a few, for many: 500 ids a statement).</summary>
    Task<IReadOnlyDictionary<Guid, JobRecord>> GetJobsAsync(IReadOnlyCollection<Guid> jobIds, CancellationToken cancellation = default);

    Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string key, CancellationToken cancellation = default);

    /// <summary>A tenant's jobs, newest first, optionally in one state; and how many match in all.</summary>
    Task<(IReadOnlyList<JobRecord> Jobs, int Total)> ListJobsAsync(string tenant, string? state, int offset, int limit, CancellationToken cancellation = default);

    /// <summary>The tenant's queued and running jobs, for its concurrency limit.</summary>
    Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellation = default);

    Task<IReadOnlyList<JobRecord>> GetUnfinishedJobsAsync(CancellationToken cancellation = default);

    /// <summary>The bytes each of the tenant's queued and running jobs reserved against its quota (<see cref="JobRecord.ReservedBytes"/>).</summary>
    Task<IReadOnlyDictionary<Guid, long>> GetReservationsAsync(string tenant, CancellationToken cancellation = default);

    /// <summary>A frame whose ICC profile an earlier build kept in its row (a database upgraded in place), or null once none is left.</summary>
    Task<LegacyIccProfile?> FindLegacyIccProfileAsync(CancellationToken cancellation = default);

    /// <summary>Drops a frame's legacy ICC profile from its row, recording <paramref name="key"/> (the object it was moved to; null: dropped).</summary>
    Task MoveLegacyIccProfileAsync(Guid jobId, int frame, string? key, CancellationToken cancellation = default);

    /// <summary>Runs a trivial query: throws if the store cannot be reached (readiness).</summary>
    Task PingAsync(CancellationToken cancellation = default);

    Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId, CancellationToken cancellation = default);

    Task<FrameRecord?> GetFrameAsync(Guid jobId, int frame, CancellationToken cancellation = default);

    /// <summary>The job's first tile start and last tile finish, for its time per stage.</summary>
    Task<TileSpan> GetTileSpanAsync(Guid jobId, CancellationToken cancellation = default);

    Task<IReadOnlyList<TileRecord>> GetTilesAsync(Guid jobId, int frame, CancellationToken cancellation = default);

    /// <summary>queued → running; false if the job was not queued.</summary>
    Task<bool> StartJobAsync(Guid jobId, long nowMs, CancellationToken cancellation = default);

    /// <summary>
    /// Records a frame's plan and tiles (as <see cref="TileRecord.Cut"/> says: a frame is planned from its header, before its
    /// tiles are cut); false (and nothing written) if it was already planned.
    /// </summary>
    Task<bool> SaveFramePlanAsync(FrameRecord frame, IReadOnlyList<TileRecord> tiles, CancellationToken cancellation = default);

    /// <summary>
    /// Leases the next planned, unassembled frame of a running job whose writer lease has ended (or was never taken) to
    /// <paramref name="writer"/> until <paramref name="leaseEndMs"/>: highest job priority first, then the oldest job and
    /// frame. A frame is leased to one writer at a time however many ask at once; null if none is free.
    /// </summary>
    Task<FrameRecord?> LeaseNextFrameAsync(string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default);

    /// <summary>
    /// Leases one frame to <paramref name="writer"/> until <paramref name="leaseEndMs"/>, or renews its lease: true if the
    /// frame is planned and unassembled and its lease is free, ended, or already this writer's.
    /// </summary>
    Task<bool> LeaseFrameAsync(Guid jobId, int frame, string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default);

    /// <summary>Ends <paramref name="writer"/>'s lease of a frame at once (nothing if it no longer holds it).</summary>
    Task ReleaseFrameAsync(Guid jobId, int frame, string writer, CancellationToken cancellation = default);

    /// <summary>Marks tiles cut (their inputs are in the object store): from now on the dispatcher can claim them. Repeating it changes nothing.</summary>
    Task MarkTilesCutAsync(Guid jobId, int frame, IReadOnlyList<int> tiles, CancellationToken cancellation = default);

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

    /// <summary>
    /// Counts a worker's delivery of a pack (named by its first tile) on each of its tiles, unless the job is no longer
    /// running or the pack is done.
    /// </summary>
    /// <param name="count">False for a retry of the same delivery in the same worker: it checks and marks, but counts nothing.</param>
    Task<TileAttempt> BeginPackAttemptAsync(Guid jobId, int frame, int pack, string worker, long nowMs, bool count = true,
        CancellationToken cancellation = default);

    /// <summary>Records the error of a pack's attempt on each of its tiles.</summary>
    Task RecordPackErrorAsync(Guid jobId, int frame, int pack, string error, CancellationToken cancellation = default);

    /// <summary>Which of <paramref name="packs"/> (named by their first tiles) of a frame are done.</summary>
    Task<IReadOnlyList<int>> GetDonePacksAsync(Guid jobId, int frame, IReadOnlyCollection<int> packs, CancellationToken cancellation = default);

    /// <summary>Records a job's end event for its webhook; false (and nothing written) if the job already has one for that event.</summary>
    Task<bool> ScheduleWebhookAsync(WebhookDeliveryRecord delivery, CancellationToken cancellation = default);

    /// <summary>
    /// Claims the most overdue scheduled delivery due at <paramref name="nowMs"/>, of a tenant not in
    /// <paramref name="excludedTenants"/>: counts an attempt and holds it under <paramref name="claim"/> until
    /// <paramref name="leaseEndMs"/>, when it is due again if its outcome was never recorded (the sender
    /// crashed). A delivery is claimed once, however many senders ask at the same time; null if none is due.
    /// </summary>
    Task<WebhookDeliveryRecord?> ClaimWebhookAsync(string claim, long nowMs, long leaseEndMs, IReadOnlyCollection<string> excludedTenants,
        CancellationToken cancellation = default);

    /// <summary>Marks a claimed delivery delivered; false if the claim no longer holds.</summary>
    Task<bool> MarkWebhookDeliveredAsync(string id, string claim, long nowMs, CancellationToken cancellation = default);

    /// <summary>Schedules a claimed delivery's next attempt after a failed one; false if the claim no longer holds.</summary>
    Task<bool> RetryWebhookAsync(string id, string claim, long nextAttemptMs, string error, CancellationToken cancellation = default);

    /// <summary>Gives a claimed delivery up; false if the claim no longer holds.</summary>
    Task<bool> MarkWebhookLostAsync(string id, string claim, string error, long nowMs, CancellationToken cancellation = default);

    /// <summary>A job's webhook deliveries, oldest first.</summary>
    Task<IReadOnlyList<WebhookDeliveryRecord>> GetWebhooksAsync(Guid jobId, CancellationToken cancellation = default);

    /// <summary>
    /// Claims up to <paramref name="limit"/> outbox messages whose lease has ended (unclaimed ones have ended), oldest
    /// first, under <paramref name="claim"/> until <paramref name="leaseEndMs"/>: a message is claimed by one relay at a
    /// time, however many ask at once; one its relay never deleted (it died) is claimable again when the lease ends.
    /// </summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimOutboxAsync(string claim, long nowMs, long leaseEndMs, int limit, CancellationToken cancellation = default);

    /// <summary>Deletes published messages.</summary>
    Task DeleteOutboxAsync(IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>Makes claimed messages that could not be published claimable again at once, if the claim still holds them.</summary>
    Task ReleaseOutboxAsync(string claim, IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>Messages waiting in the outbox and the age of the oldest.</summary>
    Task<OutboxBacklog> CountOutboxAsync(CancellationToken cancellation = default);
}
