namespace UpscaleFarm.Farm.JobStore;

/// <summary>The farm's reads: jobs, frames and tiles as they stand, for the API, the roles and the tools. Nothing here changes state.</summary>
public interface IJobQueries
{
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

    Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId, CancellationToken cancellation = default);

    Task<FrameRecord?> GetFrameAsync(Guid jobId, int frame, CancellationToken cancellation = default);

    /// <summary>The job's first tile start and last tile finish, for its time per stage.</summary>
    Task<TileSpan> GetTileSpanAsync(Guid jobId, CancellationToken cancellation = default);

    Task<IReadOnlyList<TileRecord>> GetTilesAsync(Guid jobId, int frame, CancellationToken cancellation = default);

    /// <summary>Runs a trivial query: throws if the store cannot be reached (readiness).</summary>
    Task PingAsync(CancellationToken cancellation = default);
}
