using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>The tile dispatcher's statements: which planned tiles go to the tile queue next.</summary>
public sealed partial class SqlJobStore
{
    // The statements name 'pending' and the dispatched flags as literals: SQLite (and PostgreSQL's generic
    // plans) use the partial indexes tiles_waiting and tiles_in_queue (Schema) only when a query's terms
    // match their WHERE clauses literally. Counts and claims go job by job, from the few running jobs into
    // those indexes, so their cost follows the running jobs and the window, not the whole backlog.
    private const string InQueue = "t.state = 'pending' AND t.dispatched = 1";
    // Tiles not yet cut (their input not yet in the object store) wait too, but cannot be claimed.
    private const string Waiting = "t.state = 'pending' AND t.dispatched = 0 AND t.cut = 1";

    public async Task<IReadOnlyList<TileDispatch>> ClaimTilesAsync(int window, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var inFlight = await connection.ExecuteScalarAsync<int>($"""
            SELECT COALESCE(SUM((SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {InQueue})), 0)
            FROM jobs j WHERE j.state = @Running
            """, new { JobState.Running }, transaction);
        var room = window - inFlight;
        var claimed = new List<TileDispatch>();
        if (room <= 0)
            return claimed;
        var jobs = await connection.QueryAsync<(string Id, string Tenant, string Model, string? TraceParent)>(
            "SELECT id, tenant, model, trace_parent FROM jobs WHERE state = @Running ORDER BY priority DESC, created_ms, id",
            new { JobState.Running }, transaction);
        foreach (var job in jobs)
        {
            var candidates = await connection.QueryAsync<TileDispatch>($"""
                SELECT t.job_id, @Tenant AS tenant, @Model AS model, @TraceParent AS trace_parent, t.frame, t.tile, t.plane, f.is_gray,
                    t.input_x, t.input_y, t.input_width, t.input_height, t.core_x, t.core_y, t.core_width, t.core_height
                FROM tiles t JOIN frames f ON f.job_id = t.job_id AND f.frame = t.frame
                WHERE t.job_id = @Id AND {Waiting}
                ORDER BY t.frame, t.tile
                LIMIT @Room
                """, new { job.Id, job.Tenant, job.Model, job.TraceParent, Room = room }, transaction);
            // Another coordinator may have claimed some of them meanwhile: its update holds the row until it
            // commits, and then "dispatched = 0" no longer matches here.
            foreach (var tile in candidates)
            {
                if (await connection.ExecuteAsync(
                        "UPDATE tiles SET dispatched = 1, dispatched_ms = @Now WHERE job_id = @JobId AND frame = @Frame AND tile = @Tile AND dispatched = 0",
                        new { tile.JobId, tile.Frame, tile.Tile, Now = Messaging.Clock.NowMs }, transaction) == 1)
                {
                    claimed.Add(tile);
                    room--;
                }
            }
            if (room <= 0)
                break;
        }
        await transaction.CommitAsync(cancellation);
        return claimed;
    }

    public async Task<(int Queued, int Waiting)> CountDispatchAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.QuerySingleAsync<(int, int)>($"""
            SELECT COALESCE(SUM((SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {InQueue})), 0),
                   COALESCE(SUM((SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {Waiting})), 0)
            FROM jobs j WHERE j.state = @Running
            """, new { JobState.Running });
    }

    public async Task ReleaseTilesAsync(IReadOnlyList<TileDispatch> tiles, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await connection.ExecuteAsync("UPDATE tiles SET dispatched = 0 WHERE job_id = @JobId AND frame = @Frame AND tile = @Tile",
            tiles, transaction);
        await transaction.CommitAsync(cancellation);
    }

    public async Task<int> ReleaseUnstartedTilesAsync(long claimedBeforeMs, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteAsync("""
            UPDATE tiles SET dispatched = 0
            WHERE state = @Pending AND dispatched = 1 AND started_ms IS NULL AND dispatched_ms < @Before
              AND job_id IN (SELECT id FROM jobs WHERE state = @Running)
            """, new { TileState.Pending, JobState.Running, Before = claimedBeforeMs });
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
