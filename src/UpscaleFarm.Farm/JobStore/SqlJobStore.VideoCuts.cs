using Dapper;

namespace UpscaleFarm.Farm.JobStore;

public sealed partial class SqlJobStore
{
    public async Task<VideoCut?> GetVideoCutAsync(Guid jobId, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        var row = await connection.QuerySingleOrDefaultAsync<(string VideoKey, string Name, long MuxResult, long MaxFrames, long MaxPixels, long MaxDecodedBytes)?>(
            "SELECT video_key, name, mux_result, max_frames, max_pixels, max_decoded_bytes FROM video_cuts WHERE job_id = @Id", new { Id = jobId });
        // mux_result is a flag column (0 or 1), read here as the number it is.
        return row is { } r ? new VideoCut(jobId, r.VideoKey, r.Name, r.MuxResult != 0, r.MaxFrames, r.MaxPixels, r.MaxDecodedBytes) : null;
    }

    public async Task<bool> RecordVideoFramesAsync(Guid jobId, IReadOnlyList<FrameSource> frames, long reservedBytes, CancellationToken cancellation = default)
    {
        await using var connection = await dialect.OpenAsync(cancellation);
        await using var transaction = await connection.BeginTransactionAsync(cancellation);
        var id = jobId;
        // The job row first, locked by the update: a cancel in between waits, and a job that ended meanwhile gets no frames.
        var job = new { Id = id, Frames = frames.Count, Reserved = reservedBytes, JobState.Running };
        if (await connection.ExecuteAsync("""
                UPDATE jobs SET frames_total = @Frames, reserved_bytes = CASE WHEN reserved_bytes < @Reserved THEN @Reserved ELSE reserved_bytes END
                WHERE id = @Id AND state = @Running
                """, job, transaction) == 0
            || await connection.ExecuteAsync("DELETE FROM video_cuts WHERE job_id = @Id", new { Id = id }, transaction) == 0)
            return false;
        await connection.ExecuteAsync("INSERT INTO frames (job_id, frame, source_key, name, state) VALUES (@JobId, @Frame, @SourceKey, @Name, @State)",
            frames.Select((source, i) => new { JobId = id, Frame = i, SourceKey = source.Key, source.Name, State = FrameState.Pending }), transaction);
        await transaction.CommitAsync(cancellation);
        return true;
    }
}
