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

    /// <remarks>
    /// Packs (<see cref="Packing.TilePacker"/>) are claimed whole, a frame's in one statement. The share is decided here,
    /// in one transaction, from the queue's own contents, so it holds across coordinators and restarts: within a priority,
    /// each pack of room goes to the tenant with the fewest packs in the queue per unit of weight (a tenant's packs at
    /// every priority counted), so a tenant arriving beside a large job gets the next free places, and weighted tenants
    /// get places in proportion.
    /// </remarks>
    public async Task<TileClaim> ClaimTilesAsync(int window, int maxQueued = int.MaxValue, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var jobs = (await connection.QueryAsync<RunningJob>($"""
            SELECT j.id, j.tenant, j.model, j.trace_parent, j.priority, j.weight,
                (SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {InQueue} AND {FirstOfPack}) AS in_queue,
                (SELECT COUNT(*) FROM tiles t WHERE t.job_id = j.id AND {InQueue} AND {FirstOfPack} AND t.started_ms IS NULL) AS not_started
            FROM jobs j WHERE j.state = @Running ORDER BY j.priority DESC, j.created_ms, j.id
            """, new { JobState.Running }, transaction)).AsList();
        var queued = jobs.Sum(j => j.NotStarted);
        var room = (int)Math.Min(window - jobs.Sum(j => (long)j.InQueue), (long)maxQueued - queued);
        var claimed = new List<TileDispatch>();
        if (room <= 0)
            return new TileClaim(claimed, queued);

        var load = jobs.GroupBy(j => j.Tenant).ToDictionary(t => t.Key, t => t.Sum(j => j.InQueue));
        var chosen = new List<(RunningJob Job, int Frame, int Pack)>();
        foreach (var level in jobs.GroupBy(j => j.Priority))
        {
            var shares = new PriorityQueue<TenantShare, (double Load, int Order)>();
            foreach (var (tenant, order) in level.GroupBy(j => j.Tenant).Select((t, i) => (t, i)))
                shares.Enqueue(new TenantShare(tenant.ToList(), order), (load[tenant.Key] / (double)tenant.Max(j => j.Weight), order));
            while (room > 0 && shares.TryDequeue(out var share, out _))
            {
                if (await share.NextAsync(connection, transaction, room) is not { } next)
                    continue; // the tenant has nothing more waiting at this priority
                chosen.Add(next);
                room--;
                var tenantLoad = ++load[next.Job.Tenant];
                shares.Enqueue(share, (tenantLoad / (double)share.Weight, share.Order));
            }
            if (room <= 0)
                break;
        }

        // One statement per frame for all its chosen packs: another coordinator may have claimed some of them meanwhile; its
        // update holds their rows until it commits, and then "dispatched = 0" no longer matches here.
        foreach (var frame in chosen.GroupBy(c => (c.Job, c.Frame)))
        {
            var job = frame.Key.Job;
            var isGray = await connection.ExecuteScalarAsync<bool>("SELECT is_gray FROM frames WHERE job_id = @Id AND frame = @Frame",
                new { job.Id, Frame = frame.Key.Frame }, transaction);
            claimed.AddRange((await TileGeometryColumns.Query(connection, $"""
                UPDATE tiles SET dispatched = 1, dispatched_ms = @Now, started_ms = NULL
                WHERE job_id = @Id AND frame = @Frame AND pack {dialect.InList("@Packs")} AND state = 'pending' AND dispatched = 0 AND cut = 1
                RETURNING {TileGeometryColumns.Select}
                """, new { job.Id, Frame = frame.Key.Frame, Packs = frame.Select(c => c.Pack).ToArray(), Now = Clock.NowMs }, transaction))
                .OrderBy(t => t.Tile)
                .Select(t => new TileDispatch
                {
                    JobId = job.Id, Tenant = job.Tenant, Model = job.Model, TraceParent = job.TraceParent, Frame = t.Frame, Tile = t.Tile, Pack = t.Pack,
                    Plane = t.Plane, IsGray = isGray, Geometry = t.Geometry,
                }));
        }
        await transaction.CommitAsync(cancellation);
        return new TileClaim(claimed, queued);
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

    /// <summary>A running job as the dispatcher sees it: who it is for, and its packs in the queue (all, and not yet started).</summary>
    private sealed class RunningJob
    {
        public Guid Id { get; init; }
        public string Tenant { get; init; } = "";
        public string Model { get; init; } = "";
        public string? TraceParent { get; init; }
        public int Priority { get; init; }
        public int Weight { get; init; }
        public int InQueue { get; init; }
        public int NotStarted { get; init; }
    }

    /// <summary>
    /// One tenant's jobs at one priority, oldest first, and their next waiting packs: read a job at a time, as many as the
    /// room left when first asked, so a tenant that is dealt no more than its share costs one query.
    /// </summary>
    private sealed class TenantShare(List<RunningJob> jobs, int order)
    {
        private readonly Queue<(int Frame, int Pack)> _packs = new();
        private int _job = -1;

        public int Order { get; } = order;
        public int Weight { get; } = Math.Max(1, jobs.Max(j => j.Weight));

        public async Task<(RunningJob Job, int Frame, int Pack)?> NextAsync(System.Data.Common.DbConnection connection,
            System.Data.Common.DbTransaction transaction, int room)
        {
            while (_packs.Count == 0)
            {
                if (++_job >= jobs.Count)
                    return null;
                foreach (var pack in await connection.QueryAsync<(int Frame, int Pack)>($"""
                    SELECT t.frame, t.pack FROM tiles t
                    WHERE t.job_id = @Id AND {Waiting} AND {FirstOfPack}
                    ORDER BY t.frame, t.tile
                    LIMIT @Room
                    """, new { jobs[_job].Id, Room = room }, transaction))
                    _packs.Enqueue(pack);
            }
            var (frame, next) = _packs.Dequeue();
            return (jobs[_job], frame, next);
        }
    }
}
