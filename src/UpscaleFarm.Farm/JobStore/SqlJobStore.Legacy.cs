using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>What an earlier build left in a database upgraded in place, taken out of the rows it bloats.</summary>
public sealed partial class SqlJobStore
{
    public async Task<LegacyIccProfile?> FindLegacyIccProfileAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        if (await connection.ExecuteScalarAsync<long>(dialect.ColumnCountSql, new { Table = "frames", Column = Schema.LegacyIccColumn }) == 0)
            return null;
        // From the unfinished jobs (the jobs_state index), never a scan of every frame: every process runs this at start.
        var row = await connection.QueryFirstOrDefaultAsync<(Guid JobId, string Tenant, int Frame, byte[] Profile)?>($"""
            SELECT f.job_id, j.tenant, f.frame, f.{Schema.LegacyIccColumn} FROM jobs j JOIN frames f ON f.job_id = j.id
            WHERE j.state IN (@Queued, @Running) AND f.{Schema.LegacyIccColumn} IS NOT NULL
            LIMIT 1
            """, new { JobState.Queued, JobState.Running });
        return row is { } found ? new LegacyIccProfile(found.JobId, found.Tenant, found.Frame, found.Profile) : null;
    }

    public async Task MoveLegacyIccProfileAsync(Guid jobId, int frame, string? key, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync($"UPDATE frames SET icc_key = @Key, {Schema.LegacyIccColumn} = NULL WHERE job_id = @Id AND frame = @Frame",
            new { Id = jobId, Frame = frame, Key = key });
    }
}
