using Dapper;

namespace UpscaleFarm.Farm.JobStore;

public sealed partial class SqlJobStore
{
    public async Task<VideoCut?> GetVideoCutAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var row = await connection.QuerySingleOrDefaultAsync<(string VideoKey, string Name, long MuxResult, long MaxFrames, long MaxPixels, long MaxDecodedBytes,
            long MaxVideoBytes)?>(
            "SELECT video_key, name, mux_result, max_frames, max_pixels, max_decoded_bytes, max_video_bytes FROM video_cuts WHERE job_id = @Id",
            new { Id = jobId });
        // mux_result is a flag column (0 or 1), read here as the number it is.
        return row is { } r ? new VideoCut(jobId, r.VideoKey, r.Name, r.MuxResult != 0, r.MaxFrames, r.MaxPixels, r.MaxDecodedBytes, r.MaxVideoBytes) : null;
    }

    public async Task<IReadOnlyList<QueuedVideoCut>> ListVideoCutsAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await connection.QueryAsync<QueuedVideoCut>("""
            SELECT c.job_id AS JobId, j.tenant AS Tenant, j.priority AS Priority, j.created_ms AS CreatedMs, c.cutter AS Cutter, c.lease_until_ms AS LeaseUntilMs
            FROM video_cuts c JOIN jobs j ON j.id = c.job_id
            WHERE j.state = @Running
            ORDER BY j.priority DESC, j.created_ms, c.job_id
            """, new { JobState.Running })).AsList();
    }

    public async Task<bool> LeaseVideoCutAsync(Guid jobId, string cutter, long nowMs, long untilMs, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE video_cuts SET cutter = @Cutter, lease_until_ms = @Until
            WHERE job_id = @Id AND (lease_until_ms <= @Now OR cutter = @Cutter)
            """, new { Id = jobId, Cutter = cutter, Now = nowMs, Until = untilMs }) == 1;
    }

    public async Task ReleaseVideoCutAsync(Guid jobId, string cutter, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync("UPDATE video_cuts SET cutter = NULL, lease_until_ms = 0 WHERE job_id = @Id AND cutter = @Cutter",
            new { Id = jobId, Cutter = cutter });
    }
}
