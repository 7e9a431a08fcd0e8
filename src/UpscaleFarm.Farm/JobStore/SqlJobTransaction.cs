using System.Data.Common;
using System.Diagnostics;
using Dapper;
using UpscaleFarm.Farm.Outbox;
using UpscaleFarm.Farm.Telemetry;

namespace UpscaleFarm.Farm.JobStore;

/// <summary><see cref="IJobTransaction"/> on one connection and transaction of a <see cref="SqlJobStore"/>.</summary>
internal sealed class SqlJobTransaction(DbConnection connection, DbTransaction transaction) : IJobTransaction
{
    // Effects outside the database (the job-duration metric) happen only if the transaction commits.
    private readonly List<Action> _afterCommit = [];

    public int Enqueued { get; private set; }

    public async Task CreateJobAsync(JobRecord job, IReadOnlyList<FrameSource> frames)
    {
        var row = new DynamicParameters(job);
        var options = job.Options;
        // Dapper would send the alpha mode as its number; the column keeps the name, which reads back as the enum.
        row.AddDynamicParams(new { options.OutScale, options.Format, options.Quality, options.TileSize, options.Halo, Alpha = options.Alpha.ToString().ToLowerInvariant() });
        await connection.ExecuteAsync($"INSERT INTO jobs ({SqlJobStore.JobColumns}) VALUES (@Id, @Tenant, @State, @Model, @FramesTotal, @FramesDone, @TilesTotal, @TilesDone, @Error, @CreatedMs, @PlannedMs, @FinishedMs, @IdempotencyKey, @WebhookUrl, @VideoKey, @ResultKey, @Priority, @TraceParent, @ReservedBytes, @Weight, @Format, @Quality, @Alpha, @OutScale, @TileSize, @Halo)",
            row, transaction);
        await connection.ExecuteAsync("INSERT INTO frames (job_id, frame, source_key, name, state) VALUES (@JobId, @Frame, @SourceKey, @Name, @State)",
            frames.Select((source, i) => new { JobId = job.Id, Frame = i, SourceKey = source.Key, source.Name, State = FrameState.Pending }), transaction);
    }

    public Task AddVideoCutAsync(VideoCut cut) =>
        connection.ExecuteAsync("""
            INSERT INTO video_cuts (job_id, video_key, name, mux_result, max_frames, max_pixels, max_decoded_bytes, max_video_bytes)
            VALUES (@Id, @VideoKey, @Name, @MuxResult, @MaxFrames, @MaxPixels, @MaxDecodedBytes, @MaxVideoBytes)
            """, new { Id = cut.JobId, cut.VideoKey, cut.Name, cut.MuxResult, cut.MaxFrames, cut.MaxPixels, cut.MaxDecodedBytes, cut.MaxVideoBytes },
            transaction);

    public async Task<bool> RecordVideoFramesAsync(Guid jobId, IReadOnlyList<FrameSource> frames, long reservedBytes)
    {
        // The job row first, locked by the update: a cancel in between waits, and a job that ended meanwhile gets no frames.
        // (Two coordinators that cut the same video race here; the loser's update, if it slips past the row lock, writes
        // the same count, and it records nothing.)
        var job = new { Id = jobId, Frames = frames.Count, Reserved = reservedBytes, JobState.Running };
        if (await connection.ExecuteAsync("""
                UPDATE jobs SET frames_total = @Frames, reserved_bytes = CASE WHEN reserved_bytes < @Reserved THEN @Reserved ELSE reserved_bytes END
                WHERE id = @Id AND state = @Running AND EXISTS (SELECT 1 FROM video_cuts WHERE job_id = @Id)
                """, job, transaction) == 0
            || await connection.ExecuteAsync("DELETE FROM video_cuts WHERE job_id = @Id", new { Id = jobId }, transaction) == 0)
            return false;
        await connection.ExecuteAsync("INSERT INTO frames (job_id, frame, source_key, name, state) VALUES (@JobId, @Frame, @SourceKey, @Name, @State)",
            frames.Select((source, i) => new { JobId = jobId, Frame = i, SourceKey = source.Key, source.Name, State = FrameState.Pending }), transaction);
        return true;
    }

    public async Task<TileCount> CompletePackAsync(Guid jobId, int frame, int pack, string worker, long inferenceMs, long nowMs)
    {
        var (marked, complete) = await CountAsync([new PackCompletion(jobId, frame, pack, worker, inferenceMs)], nowMs);
        return new TileCount(marked > 0, complete.Count > 0);
    }

    public async Task<IReadOnlyList<(Guid JobId, int Frame)>> CompletePacksAsync(IReadOnlyList<PackCompletion> packs, long nowMs) =>
        (await CountAsync(packs, nowMs)).Complete;

    /// <summary>
    /// Rows are locked in one order (tiles and frames by job, frame and pack; then jobs), so two assemblers counting
    /// overlapping batches wait for each other instead of deadlocking.
    /// </summary>
    private async Task<(int Marked, List<(Guid JobId, int Frame)> Complete)> CountAsync(IReadOnlyList<PackCompletion> packs, long nowMs)
    {
        var complete = new List<(Guid, int)>();
        var perJob = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var total = 0;
        foreach (var frame in packs.GroupBy(p => (Id: SqlJobStore.Key(p.JobId), p.JobId, p.Frame)).OrderBy(f => f.Key.Id, StringComparer.Ordinal).ThenBy(f => f.Key.Frame))
        {
            var marked = 0;
            foreach (var pack in frame.DistinctBy(p => p.Pack).OrderBy(p => p.Pack))
                marked += await connection.ExecuteAsync("""
                    UPDATE tiles SET state = @Done, worker = @Worker, finished_ms = @Now, inference_ms = @InferenceMs
                    WHERE job_id = @Id AND frame = @Frame AND pack = @Pack AND state = @Pending
                    """, new { frame.Key.Id, frame.Key.Frame, pack.Pack, pack.Worker, Now = pack.FinishedMs ?? nowMs, pack.InferenceMs, TileState.Done, TileState.Pending },
                    transaction);
            if (marked == 0)
                continue;
            var counts = await connection.QuerySingleAsync<(int Done, int Total)>(
                "UPDATE frames SET tiles_done = tiles_done + @Marked WHERE job_id = @Id AND frame = @Frame RETURNING tiles_done, tiles_total",
                new { frame.Key.Id, frame.Key.Frame, Marked = marked }, transaction);
            if (counts.Done == counts.Total)
                complete.Add((frame.Key.JobId, frame.Key.Frame));
            perJob[frame.Key.Id] = perJob.GetValueOrDefault(frame.Key.Id) + marked;
            total += marked;
        }
        foreach (var (id, marked) in perJob)
            await connection.ExecuteAsync("UPDATE jobs SET tiles_done = tiles_done + @Marked WHERE id = @Id", new { Id = id, Marked = marked }, transaction);
        return (total, complete);
    }

    public async Task<bool> CompleteFrameAsync(Guid jobId, int frame, string resultKey, long nowMs)
    {
        var marked = await connection.ExecuteAsync("""
            UPDATE frames SET state = @Assembled, result_key = @ResultKey, assembled_ms = @Now
            WHERE job_id = @Id AND frame = @Frame AND state = @Planned
            """, new { Id = jobId, Frame = frame, ResultKey = resultKey, Now = nowMs, FrameState.Assembled, FrameState.Planned }, transaction);
        if (marked == 0)
            return false;
        var counts = await connection.QuerySingleAsync<(int Done, int Total)>(
            "UPDATE jobs SET frames_done = frames_done + 1 WHERE id = @Id RETURNING frames_done, frames_total", new { Id = jobId }, transaction);
        return counts.Done == counts.Total;
    }

    public async Task<bool> CompleteJobAsync(Guid jobId, string? resultKey, long nowMs)
    {
        var created = await connection.QuerySingleOrDefaultAsync<long?>(
            "UPDATE jobs SET state = @Completed, result_key = @ResultKey, finished_ms = @Now WHERE id = @Id AND state = @Running RETURNING created_ms",
            new { Id = jobId, ResultKey = resultKey, Now = nowMs, JobState.Completed, JobState.Running }, transaction);
        return RecordEnd(created, nowMs, JobState.Completed);
    }

    public async Task<bool> FinishJobAsync(Guid jobId, JobState state, string? reason, long nowMs)
    {
        if (state != JobState.Failed && state != JobState.Cancelled)
            throw new ArgumentOutOfRangeException(nameof(state), "only failed or cancelled");
        var created = await connection.QuerySingleOrDefaultAsync<long?>(
            "UPDATE jobs SET state = @State, error = @Reason, finished_ms = @Now WHERE id = @Id AND state IN (@Queued, @Running) RETURNING created_ms",
            new { Id = jobId, State = state, Reason = reason, Now = nowMs, JobState.Queued, JobState.Running }, transaction);
        return RecordEnd(created, nowMs, state);
    }

    public async Task<IReadOnlyList<FrameRecord>> GetFramesAsync(Guid jobId) =>
        (await connection.QueryAsync<FrameRecord>($"SELECT {SqlJobStore.FrameColumns} FROM frames WHERE job_id = @Id ORDER BY frame", new { Id = jobId }, transaction)).AsList();

    public async Task EnqueueAsync(object message, long nowMs)
    {
        var (messageType, body) = OutboxCodec.Encode(message);
        await connection.ExecuteAsync("""
            INSERT INTO outbox (id, message_type, body, trace_parent, created_ms, lease_until_ms)
            VALUES (@Id, @MessageType, @Body, @TraceParent, @Now, 0)
            """, new { Id = Guid.NewGuid().ToString("N"), MessageType = messageType, Body = body, TraceParent = Activity.Current?.Id, Now = nowMs }, transaction);
        Enqueued++;
    }

    /// <summary>Runs what waited for the commit.</summary>
    public void Committed()
    {
        foreach (var action in _afterCommit)
            action();
    }

    /// <summary>A job's end is recorded where it happens exactly once (after the commit): the duration metric counts each job once.</summary>
    private bool RecordEnd(long? createdMs, long nowMs, JobState state)
    {
        if (createdMs is not { } created)
            return false;
        _afterCommit.Add(() => FarmTelemetry.JobDuration.Record(Math.Max(0, nowMs - created) / 1000.0,
            new KeyValuePair<string, object?>(FarmTelemetry.Tags.State, state.Name)));
        return true;
    }
}
