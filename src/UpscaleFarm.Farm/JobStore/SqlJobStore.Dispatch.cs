using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>The tile dispatcher's statements: which planned tiles go to the tile queue next.</summary>
public sealed partial class SqlJobStore
{
    public async Task<IReadOnlyList<TileDispatch>> ClaimTilesAsync(int window, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var states = new { TileState.Pending, JobState.Running };
        var inFlight = await connection.ExecuteScalarAsync<int>("""
            SELECT COUNT(*) FROM tiles t JOIN jobs j ON j.id = t.job_id
            WHERE t.state = @Pending AND t.dispatched = 1 AND j.state = @Running
            """, states, transaction);
        if (inFlight >= window)
            return [];
        var candidates = (await connection.QueryAsync<TileDispatch>("""
            SELECT t.job_id, j.tenant, j.model, j.trace_parent, t.frame, t.tile, t.plane, f.is_gray, t.input_x, t.input_y, t.input_width, t.input_height,
                t.core_x, t.core_y, t.core_width, t.core_height
            FROM tiles t JOIN jobs j ON j.id = t.job_id JOIN frames f ON f.job_id = t.job_id AND f.frame = t.frame
            WHERE t.state = @Pending AND t.dispatched = 0 AND j.state = @Running
            ORDER BY j.priority DESC, j.created_ms, j.id, t.frame, t.tile
            LIMIT @Room
            """, new { TileState.Pending, JobState.Running, Room = window - inFlight }, transaction)).AsList();
        // Another coordinator may have claimed some of them meanwhile: its update holds the row until it
        // commits, and then "dispatched = 0" no longer matches here.
        var claimed = new List<TileDispatch>(candidates.Count);
        foreach (var tile in candidates)
        {
            if (await connection.ExecuteAsync(
                    "UPDATE tiles SET dispatched = 1 WHERE job_id = @JobId AND frame = @Frame AND tile = @Tile AND dispatched = 0",
                    tile, transaction) == 1)
                claimed.Add(tile);
        }
        await transaction.CommitAsync(cancellation);
        return claimed;
    }

    public async Task<(int Queued, int Waiting)> CountDispatchAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.QuerySingleAsync<(int, int)>("""
            SELECT COALESCE(SUM(CASE WHEN t.dispatched = 1 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN t.dispatched = 0 THEN 1 ELSE 0 END), 0)
            FROM tiles t JOIN jobs j ON j.id = t.job_id
            WHERE t.state = @Pending AND j.state = @Running
            """, new { TileState.Pending, JobState.Running });
    }

    public async Task ReleaseTilesAsync(IReadOnlyList<TileDispatch> tiles, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await connection.ExecuteAsync("UPDATE tiles SET dispatched = 0 WHERE job_id = @JobId AND frame = @Frame AND tile = @Tile",
            tiles, transaction);
        await transaction.CommitAsync(cancellation);
    }

    public async Task<int> ReleaseAllTilesAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE tiles SET dispatched = 0
            WHERE state = @Pending AND dispatched = 1 AND job_id IN (SELECT id FROM jobs WHERE state = @Running)
            """, new { TileState.Pending, JobState.Running });
    }
}
