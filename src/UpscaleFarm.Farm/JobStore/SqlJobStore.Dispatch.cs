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

    // A pack's tiles change state together, so its first tile (tile = pack) stands for it in the window's counts.
    private const string FirstOfPack = "t.tile = t.pack";

    /// <remarks>Packs (<see cref="Packing.TilePacker"/>) are claimed whole, a frame's in one statement.</remarks>
    public async Task<IReadOnlyList<TileDispatch>> ClaimTilesAsync(int window, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var inFlight = await connection.ExecuteScalarAsync<int>($"""
            SELECT COALESCE(SUM((SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {InQueue} AND {FirstOfPack})), 0)
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
            // The job's next waiting packs, in order.
            var packs = (await connection.QueryAsync<(int Frame, int Pack)>($"""
                SELECT t.frame, t.pack FROM tiles t
                WHERE t.job_id = @Id AND {Waiting} AND {FirstOfPack}
                ORDER BY t.frame, t.tile
                LIMIT @Room
                """, new { job.Id, Room = room }, transaction)).ToList();
            // One statement per frame for all its packs: another coordinator may have claimed some of them meanwhile; its
            // update holds their rows until it commits, and then "dispatched = 0" no longer matches here.
            foreach (var frame in packs.GroupBy(p => p.Frame))
            {
                var isGray = await connection.ExecuteScalarAsync<int>("SELECT is_gray FROM frames WHERE job_id = @Id AND frame = @Frame",
                    new { job.Id, Frame = frame.Key }, transaction);
                var tiles = (await connection.QueryAsync<TileDispatch>($"""
                    UPDATE tiles SET dispatched = 1, dispatched_ms = @Now
                    WHERE job_id = @Id AND frame = @Frame AND pack {dialect.InList("@Packs")} AND state = 'pending' AND dispatched = 0 AND cut = 1
                    RETURNING job_id, @Tenant AS tenant, @Model AS model, @TraceParent AS trace_parent, frame, tile, pack, plane, @IsGray AS is_gray,
                        input_x, input_y, input_width, input_height, core_x, core_y, core_width, core_height
                    """, new { job.Id, job.Tenant, job.Model, job.TraceParent, Frame = frame.Key, Packs = frame.Select(p => p.Pack).ToArray(), IsGray = isGray,
                        Now = Messaging.Clock.NowMs }, transaction)).OrderBy(t => t.Tile).ToList();
                claimed.AddRange(tiles);
                room -= tiles.Count(t => t.Tile == t.Pack);
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
        foreach (var frame in tiles.GroupBy(t => (t.JobId, t.Frame)))
            await connection.ExecuteAsync($"UPDATE tiles SET dispatched = 0 WHERE job_id = @JobId AND frame = @Frame AND tile {dialect.InList("@Tiles")}",
                new { frame.Key.JobId, frame.Key.Frame, Tiles = frame.Select(t => t.Tile).ToArray() }, transaction);
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
