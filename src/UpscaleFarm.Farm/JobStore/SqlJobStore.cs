using System.Data.Common;
using Dapper;

namespace UpscaleFarm.Farm.JobStore;

/// <summary>The job store over SQLite or PostgreSQL (see <see cref="SqlDialect"/>), through Dapper.</summary>
public sealed partial class SqlJobStore(SqlDialect dialect) : IJobStore, IDisposable
{
    /// <summary>Every column a frame's record reads, by name: a listing reads what it uses, whatever a column an earlier build added holds.</summary>
    internal const string FrameColumns = "job_id, frame, source_key, name, state, width, height, scale, is_gray, is16_bit, alpha_plane, icc_key, tiles_total, tiles_done, result_key, assembled_ms, writer, writer_until_ms";

    /// <summary>A jobs row's columns, its options' last (where <see cref="QueryJobsAsync"/> splits them off into <see cref="JobRecord.Options"/>).</summary>
    internal const string JobColumns = "id, tenant, state, model, frames_total, frames_done, tiles_total, tiles_done, error, created_ms, planned_ms, finished_ms, idempotency_key, webhook_url, video_key, result_key, priority, trace_parent, reserved_bytes, weight, format, quality, alpha, out_scale, tile_size, halo";

    /// <summary>The jobs rows of <paramref name="sql"/>, which selects <see cref="JobColumns"/>.</summary>
    private static async Task<List<JobRecord>> QueryJobsAsync(System.Data.Common.DbConnection connection, string sql, object parameters) =>
        (await connection.QueryAsync<JobRecord, Client.JobOptions, JobRecord>(sql, (job, options) => job with { Options = options }, parameters,
            splitOn: "format")).AsList(); // not a nullable column: Dapper makes a split-off part whose first value is NULL a null

    /// <summary>The database, for a host's own tables beside the farm's (the API's webhook deliveries).</summary>
    public SqlDialect Dialect => dialect;

    public async Task MigrateAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        if (dialect.Name == "sqlite")
            await connection.ExecuteAsync("PRAGMA journal_mode=WAL");
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await dialect.LockSchemaAsync(connection, transaction);
        await connection.ExecuteAsync(Schema.Tables, transaction: transaction);
        foreach (var (table, column, definition) in Schema.AddedColumns)
        {
            if (await connection.ExecuteScalarAsync<long>(dialect.ColumnCountSql, new { Table = table, Column = column }, transaction) > 0)
                continue;
            await connection.ExecuteAsync($"ALTER TABLE {table} ADD COLUMN {column} {definition}", transaction: transaction);
            if (Schema.AfterAdding(table, column) is { } after)
                await connection.ExecuteAsync(after, transaction: transaction);
        }
        await connection.ExecuteAsync(Schema.Indexes, transaction: transaction);
        await transaction.CommitAsync(cancellation);
    }

    public async Task<T> TransactAsync<T>(Func<IJobTransaction, Task<T>> work, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var changes = new SqlJobTransaction(connection, transaction);
        var result = await work(changes);
        await transaction.CommitAsync(cancellation);
        changes.Committed();
        return result;
    }

    public Task TransactAsync(Func<IJobTransaction, Task> work, CancellationToken cancellation = default) =>
        TransactAsync(async changes =>
        {
            await work(changes);
            return true;
        }, cancellation);

    public async Task<JobRecord?> GetJobAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await QueryJobsAsync(connection, $"SELECT {JobColumns} FROM jobs WHERE id = @Id", new { Id = jobId })).SingleOrDefault();
    }

    public async Task<IReadOnlyDictionary<Guid, JobRecord>> GetJobsAsync(IReadOnlyCollection<Guid> jobIds, CancellationToken cancellation = default)
    {
        var jobs = new Dictionary<Guid, JobRecord>(jobIds.Count);
        if (jobIds.Count == 0)
            return jobs;
        await using var connection = await dialect.OpenAsync(cancellation);
        foreach (var chunk in jobIds.Select(Key).Chunk(500))
            foreach (var job in await QueryJobsAsync(connection, $"SELECT {JobColumns} FROM jobs WHERE id {dialect.InList("@Ids")}", new { Ids = chunk }))
                jobs[job.Id] = job;
        return jobs;
    }

    public async Task<JobRecord?> FindByIdempotencyKeyAsync(string tenant, string key, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await QueryJobsAsync(connection, $"SELECT {JobColumns} FROM jobs WHERE tenant = @Tenant AND idempotency_key = @Key",
            new { Tenant = tenant, Key = key })).SingleOrDefault();
    }

    public async Task<(IReadOnlyList<JobRecord> Jobs, int Total)> ListJobsAsync(string tenant, string? state, int offset, int limit,
        CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var filter = state is null ? "tenant = @Tenant" : "tenant = @Tenant AND state = @State";
        var parameters = new { Tenant = tenant, State = state, Offset = offset, Limit = limit };
        var jobs = await QueryJobsAsync(connection,
            $"SELECT {JobColumns} FROM jobs WHERE {filter} ORDER BY created_ms DESC, id LIMIT @Limit OFFSET @Offset", parameters);
        var total = await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM jobs WHERE {filter}", parameters);
        return (jobs, total);
    }

    public async Task<int> CountUnfinishedJobsAsync(string tenant, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM jobs WHERE tenant = @Tenant AND state IN (@Queued, @Running)",
            new { Tenant = tenant, JobState.Queued, JobState.Running });
    }

    public async Task<IReadOnlyList<JobRecord>> GetUnfinishedJobsAsync(CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await QueryJobsAsync(connection, $"SELECT {JobColumns} FROM jobs WHERE state IN (@Queued, @Running) ORDER BY created_ms",
            new { JobState.Queued, JobState.Running });
    }

    public async Task<IReadOnlyDictionary<Guid, long>> GetReservationsAsync(string tenant, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await connection.QueryAsync<(Guid Id, long Reserved)>("SELECT id, reserved_bytes FROM jobs WHERE tenant = @Tenant AND state IN (@Queued, @Running)",
            new { Tenant = tenant, JobState.Queued, JobState.Running })).ToDictionary(j => j.Id, j => j.Reserved);
    }

    public async Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await connection.QueryAsync<FrameRecord>($"SELECT {FrameColumns} FROM frames WHERE job_id = @Id ORDER BY frame", new { Id = jobId })).AsList();
    }

    public async Task<FrameRecord?> GetFrameAsync(Guid jobId, int frame, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.QuerySingleOrDefaultAsync<FrameRecord>($"SELECT {FrameColumns} FROM frames WHERE job_id = @Id AND frame = @Frame",
            new { Id = jobId, Frame = frame });
    }

    public async Task<TileSpan> GetTileSpanAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var (first, last) = await connection.QuerySingleAsync<(long? First, long? Last)>(
            "SELECT MIN(started_ms), MAX(finished_ms) FROM tiles WHERE job_id = @Id", new { Id = jobId });
        return new TileSpan(first, last);
    }

    public async Task<IReadOnlyList<TileRecord>> GetTilesAsync(Guid jobId, int frame, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await TileGeometryColumns.Query(connection, $"SELECT {TileGeometryColumns.Select} FROM tiles WHERE job_id = @Id AND frame = @Frame ORDER BY tile",
            new { Id = jobId, Frame = frame })).ToList();
    }

    public async Task<bool> StartJobAsync(Guid jobId, long nowMs, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        return await connection.ExecuteAsync("UPDATE jobs SET state = @Running, planned_ms = @Now WHERE id = @Id AND state = @Queued",
            new { Id = jobId, Now = nowMs, JobState.Running, JobState.Queued }) == 1;
    }

    // 15 parameters a row: 200 rows stay far below both databases' limits on parameters per statement.
    private const int TilesPerInsert = 200;

    public async Task<bool> SaveFramePlanAsync(FrameRecord frame, IReadOnlyList<TileRecord> tiles, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var planned = await connection.ExecuteAsync("""
            UPDATE frames SET state = @Planned, width = @Width, height = @Height, scale = @Scale, is_gray = @IsGray, is16_bit = @Is16Bit,
                alpha_plane = @AlphaPlane, icc_key = @IccKey, tiles_total = @TilesTotal
            WHERE job_id = @JobId AND frame = @Frame AND state = @Pending
            """, new { frame.JobId, frame.Frame, frame.Width, frame.Height, frame.Scale, frame.IsGray, frame.Is16Bit, frame.AlphaPlane,
                frame.IccKey, TilesTotal = tiles.Count, FrameState.Planned, FrameState.Pending }, transaction);
        if (planned == 0)
            return false;
        // Many rows per statement: a frame of small tiles has thousands, and a statement each was a round trip each.
        foreach (var chunk in tiles.Chunk(TilesPerInsert))
        {
            var values = new DynamicParameters();
            var rows = chunk.Select((t, i) =>
            {
                values.AddDynamicParams(new Dictionary<string, object?>
                {
                    [$"j{i}"] = t.JobId, [$"f{i}"] = t.Frame, [$"t{i}"] = t.Tile, [$"p{i}"] = t.Plane, [$"s{i}"] = t.State,
                    [$"ix{i}"] = t.Geometry.InputX, [$"iy{i}"] = t.Geometry.InputY, [$"iw{i}"] = t.Geometry.InputWidth, [$"ih{i}"] = t.Geometry.InputHeight,
                    [$"cx{i}"] = t.Geometry.CoreX, [$"cy{i}"] = t.Geometry.CoreY, [$"cw{i}"] = t.Geometry.CoreWidth, [$"ch{i}"] = t.Geometry.CoreHeight,
                    [$"c{i}"] = t.Cut, [$"k{i}"] = t.Pack,
                });
                return $"(@j{i}, @f{i}, @t{i}, @p{i}, @s{i}, @ix{i}, @iy{i}, @iw{i}, @ih{i}, @cx{i}, @cy{i}, @cw{i}, @ch{i}, @c{i}, @k{i})";
            });
            await connection.ExecuteAsync($"""
                INSERT INTO tiles (job_id, frame, tile, plane, state, input_x, input_y, input_width, input_height, core_x, core_y, core_width, core_height, cut, pack)
                VALUES {string.Join(", ", rows)}
                ON CONFLICT DO NOTHING
                """, values, transaction);
        }
        await connection.ExecuteAsync("UPDATE jobs SET tiles_total = tiles_total + @Count WHERE id = @Id",
            new { Count = tiles.Count, Id = frame.JobId }, transaction);
        await transaction.CommitAsync(cancellation);
        return true;
    }

    public async Task MarkTilesCutAsync(Guid jobId, int frame, IReadOnlyList<int> tiles, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        await connection.ExecuteAsync($"UPDATE tiles SET cut = 1 WHERE job_id = @Id AND frame = @Frame AND tile {dialect.InList("@Tiles")} AND cut = 0",
            new { Id = jobId, Frame = frame, Tiles = tiles.ToArray() }, transaction);
        await transaction.CommitAsync(cancellation);
    }

    public async Task<TileAttempt> BeginPackAttemptAsync(Guid jobId, int frame, int pack, string worker, long nowMs, bool count = true,
        CancellationToken cancellation = default)
    {
        // One statement per delivered pack: the job's state and the tiles' counts are checked and changed together.
        await using var connection = await dialect.OpenAsync(cancellation);
        var counted = (await connection.QueryAsync<(int Attempts, string? LastError)>("""
            UPDATE tiles SET attempts = attempts + @Increment, worker = @Worker, started_ms = @Now
            WHERE job_id = @Id AND frame = @Frame AND pack = @Pack AND state = @Pending
              AND EXISTS (SELECT 1 FROM jobs WHERE id = @Id AND state = @Running)
            RETURNING attempts, last_error
            """, new { Id = jobId, Frame = frame, Pack = pack, Worker = worker, Now = nowMs, Increment = count ? 1 : 0, TileState.Pending, JobState.Running })).AsList();
        return counted.Count == 0 ? new TileAttempt(false, 0, null)
            : new TileAttempt(true, counted.Max(c => c.Attempts), counted.Select(c => c.LastError).FirstOrDefault(e => e is not null));
    }

    public async Task RecordPackErrorAsync(Guid jobId, int frame, int pack, string error, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await connection.ExecuteAsync("UPDATE tiles SET last_error = @Error WHERE job_id = @Id AND frame = @Frame AND pack = @Pack",
            new { Id = jobId, Frame = frame, Pack = pack, Error = Truncate(error) });
    }

    public async Task<IReadOnlyList<int>> GetDonePacksAsync(Guid jobId, int frame, IReadOnlyCollection<int> packs, CancellationToken cancellation = default)
    {
        // A pack's tiles are done together, so its first tile (whose number names it) tells: looked up by primary key.
        await using var connection = await dialect.OpenAsync(cancellation);
        return (await connection.QueryAsync<int>($"SELECT tile FROM tiles WHERE job_id = @Id AND frame = @Frame AND tile {dialect.InList("@Packs")} AND state = @Done",
            new { Id = jobId, Frame = frame, Packs = packs.ToArray(), TileState.Done })).AsList();
    }

    public void Dispose() => dialect.Dispose();

    /// <summary>An error as a row keeps it: at most 2 000 characters.</summary>
    private static string Truncate(string error) => error.Length > 2000 ? error[..2000] : error;

    /// <summary>
    /// A job id as the tables hold it, for what <see cref="GuidTextHandler"/> does not reach: ids in a list parameter
    /// (PostgreSQL's ANY takes a typed array) and the order rows are locked in.
    /// </summary>
    internal static string Key(Guid id) => id.ToString("N");
}
