using Microsoft.Extensions.Logging;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Writes one frame's result, whoever asked (<see cref="FrameWriterService"/> while its tiles are upscaled,
/// <see cref="FrameReadyConsumer"/> once they are all done): assembles it (<see cref="FrameAssembler"/>), waiting for
/// tiles still being upscaled; records it (the job's last frame completes the job: <see cref="JobLifecycle.CompleteFrameAsync"/>);
/// then removes its tile objects. Writing a frame twice (a redelivery, a writer that lost its lease just too late) writes
/// the same result again and counts the frame once.
/// </summary>
public sealed class FrameWriter(IJobQueries store, JobLifecycle lifecycle, FrameAssembler assembler, IObjectStore objects, ILogger<FrameWriter> logger)
{
    /// <summary>What the frames-assembled counter calls a frame written while its tiles were upscaled, and one written after.</summary>
    public const string Progressive = "progressive", Whole = "whole";

    /// <summary>
    /// Writes the frame if its job is running and it is planned and unassembled; <paramref name="assembly"/> labels how
    /// (<see cref="Progressive"/> or <see cref="Whole"/>). True if it was written and recorded. Throws
    /// <see cref="JobEndedException"/> if the job ended while it waited for tiles.
    /// </summary>
    /// <param name="recordCancellation">Stops the recording, which <paramref name="cancellation"/> (a lost lease) must not interrupt once the result is stored.</param>
    public async Task<bool> WriteAsync(Guid jobId, int frameIndex, string assembly, CancellationToken cancellation, CancellationToken recordCancellation)
    {
        var job = await store.GetJobAsync(jobId, cancellation);
        var frame = await store.GetFrameAsync(jobId, frameIndex, cancellation);
        if (job is null || frame is null || job.State.IsFinal || frame.State != FrameState.Planned)
            return false;
        var tiles = await store.GetTilesAsync(jobId, frameIndex, cancellation);
        if (tiles.Count == 0 || assembly == Whole && tiles.Any(t => t.State != TileState.Done))
            return false;

        // The frame's recording and its log lines (the job's "completed" among them) belong to the job's trace.
        using var activity = FarmTelemetry.StartJobActivity("assemble frame", job.Id, job.Tenant, job.TraceParent, frameIndex);
        activity?.SetTag(FarmTelemetry.Tags.Tiles, tiles.Count);
        var resultKey = await assembler.AssembleAsync(job, frame, tiles, cancellation);
        await lifecycle.CompleteFrameAsync(job, frameIndex, resultKey, recordCancellation);
        FarmTelemetry.FramesAssembled.Add(1, new KeyValuePair<string, object?>(FarmTelemetry.Tags.Assembly, assembly));
        await DeleteTilesAsync(job, frameIndex);
        return true;
    }

    /// <summary>Removes a recorded frame's tile objects (inputs and outputs).</summary>
    private async Task DeleteTilesAsync(JobRecord job, int frame)
    {
        try
        {
            var keys = new List<string>();
            await foreach (var key in objects.ListAsync(FarmKeys.TilesOfFrame(job.Tenant, job.Id, frame)))
                keys.Add(key);
            await objects.DeleteManyAsync(keys);
        }
        catch (Exception e)
        {
            // The result is safe; leftover tiles only cost space and are listed under the job's prefix.
            logger.LogWarning(e, "Could not remove the tiles of frame {Frame} of job {JobId}", frame, job.Id);
        }
    }
}
