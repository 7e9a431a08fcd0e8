using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>Leases of frames to the assemblers that write their results row by row as their tiles finish.</summary>
public sealed partial class SqlJobStore
{
    public async Task<FrameRecord?> LeaseNextFrameAsync(string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var candidates = await connection.QueryAsync<(string JobId, int Frame)>("""
            SELECT f.job_id, f.frame FROM frames f JOIN jobs j ON j.id = f.job_id
            WHERE j.state = @Running AND f.state = @Planned AND f.writer_until_ms < @Now
            ORDER BY j.priority DESC, j.created_ms, j.id, f.frame
            LIMIT 8
            """, new { JobState.Running, FrameState.Planned, Now = nowMs });
        // Another writer may lease a candidate meanwhile: the conditional update then matches nothing, and the next is tried.
        foreach (var (jobId, frame) in candidates)
        {
            if (await connection.ExecuteAsync(LeaseSql, new { JobId = jobId, Frame = frame, Writer = writer, Now = nowMs, Until = leaseEndMs, FrameState.Planned }) == 1)
                return await connection.QuerySingleOrDefaultAsync<FrameRecord>($"SELECT {FrameColumns} FROM frames WHERE job_id = @JobId AND frame = @Frame",
                    new { JobId = jobId, Frame = frame });
        }
        return null;
    }

    public async Task<bool> LeaseFrameAsync(Guid jobId, int frame, string writer, long nowMs, long leaseEndMs, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteAsync(LeaseSql, new { JobId = jobId, Frame = frame, Writer = writer, Now = nowMs, Until = leaseEndMs, FrameState.Planned }) == 1;
    }

    public async Task ReleaseFrameAsync(Guid jobId, int frame, string writer, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync("UPDATE frames SET writer_until_ms = 0 WHERE job_id = @JobId AND frame = @Frame AND writer = @Writer",
            new { JobId = jobId, Frame = frame, Writer = writer });
    }

    private const string LeaseSql = """
        UPDATE frames SET writer = @Writer, writer_until_ms = @Until
        WHERE job_id = @JobId AND frame = @Frame AND state = @Planned AND (writer_until_ms < @Now OR writer = @Writer)
        """;
}
