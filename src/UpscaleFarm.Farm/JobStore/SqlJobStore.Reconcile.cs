using Dapper;

namespace UpscaleFarm.Farm.JobStore;

public sealed partial class SqlJobStore
{
    public async Task<StalledWork> FindStalledAsync(long beforeMs, int limit, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var args = new { Before = beforeMs, Limit = limit, JobState.Queued, JobState.Running, FrameState.Planned, FrameState.Assembled, TileState.Done };
        var queued = await connection.QueryAsync<Guid>(
            "SELECT id FROM jobs WHERE state = @Queued AND created_ms < @Before ORDER BY created_ms LIMIT @Limit", args);
        // Every tile done, the last of them long enough ago that its FrameReady would have been handled.
        var frames = await connection.QueryAsync<(Guid JobId, int Frame)>("""
            SELECT f.job_id, f.frame FROM frames f JOIN jobs j ON j.id = f.job_id
            WHERE j.state = @Running AND f.state = @Planned
              AND EXISTS (SELECT 1 FROM tiles t WHERE t.job_id = f.job_id AND t.frame = f.frame)
              AND NOT EXISTS (SELECT 1 FROM tiles t WHERE t.job_id = f.job_id AND t.frame = f.frame
                              AND (t.state <> @Done OR t.finished_ms IS NULL OR t.finished_ms >= @Before))
            LIMIT @Limit
            """, args);
        var assembled = await connection.QueryAsync<Guid>("""
            SELECT j.id FROM jobs j
            WHERE j.state = @Running AND EXISTS (SELECT 1 FROM frames f WHERE f.job_id = j.id)
              AND NOT EXISTS (SELECT 1 FROM frames f WHERE f.job_id = j.id
                              AND (f.state <> @Assembled OR f.assembled_ms IS NULL OR f.assembled_ms >= @Before))
            LIMIT @Limit
            """, args);
        return new StalledWork(queued.AsList(), frames.AsList(), assembled.AsList());
    }
}
