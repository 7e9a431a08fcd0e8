using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Lifecycle;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Assembler;

/// <summary>
/// Assembles a frame whose tiles are all counted, records it, completes the job with its last frame
/// (a video job goes on to <see cref="VideoMuxConsumer"/>; <see cref="JobLifecycle.CompleteFrameAsync"/>), and removes the
/// frame's tile objects. Assembling twice (a redelivery) writes the same result again and counts the frame once.
/// With Assembler:Progressive, the frame is usually being written already by the assembler that leased it
/// (<see cref="FrameWriterService"/>), and this does nothing; it assembles the frame only if it can lease it itself
/// (no writer took it, or the one that did died and its lease ended), holding the lease while it does.
/// </summary>
public sealed class FrameReadyConsumer(IJobStore store, JobLifecycle lifecycle, FrameAssembler assembler, IObjectStore objects, FrameLeaseNames names,
    IOptions<FarmOptions> options, ILogger<FrameReadyConsumer> logger)
    : IConsumer<FrameReady>
{
    public async Task Consume(ConsumeContext<FrameReady> context)
    {
        var settings = options.Value.Assembler;
        if (!settings.Progressive)
        {
            await AssembleAsync(context.Message, context.CancellationToken);
            return;
        }
        // Not in one of the progressive writers' slots: a frame they have not leased (all busy, perhaps waiting on a
        // lower-priority job's tiles) is assembled here at once; this consumer's own concurrency bounds its strips.
        var (jobId, frame) = (context.Message.JobId, context.Message.Frame);
        await using var lease = await FrameLease.TakeAsync(store, jobId, frame, names.NewHolder(), TimeSpan.FromSeconds(Math.Max(1, settings.WriterLeaseSeconds)),
            context.CancellationToken);
        if (lease is null)
            return;
        using var leased = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lease.Lost);
        await AssembleAsync(context.Message, leased.Token);
    }

    private async Task AssembleAsync(FrameReady message, CancellationToken cancellation)
    {
        var (jobId, frameIndex) = (message.JobId, message.Frame);
        var job = await store.GetJobAsync(jobId, cancellation);
        var frame = await store.GetFrameAsync(jobId, frameIndex, cancellation);
        if (job is null || frame is null || JobState.IsFinal(job.State) || frame.State != FrameState.Planned)
            return;
        var tiles = await store.GetTilesAsync(jobId, frameIndex, cancellation);
        if (tiles.Any(t => t.State != TileState.Done))
            return;

        string resultKey;
        using (var activity = FarmTelemetry.StartJobActivity("assemble frame", job.Id, job.Tenant, job.TraceParent, frameIndex))
        {
            activity?.SetTag(FarmTelemetry.Tags.Tiles, tiles.Count);
            resultKey = await assembler.AssembleAsync(job, frame, tiles, cancellation);
        }
        await lifecycle.CompleteFrameAsync(job, frameIndex, resultKey, cancellation);
        FarmTelemetry.FramesAssembled.Add(1, new KeyValuePair<string, object?>(FarmTelemetry.Tags.Assembly, "whole"));
        await DeleteTilesAsync(objects, logger, job, frameIndex);
    }

    /// <summary>Removes a recorded frame's tile objects (inputs and outputs).</summary>
    internal static async Task DeleteTilesAsync(IObjectStore objects, ILogger logger, JobRecord job, int frame)
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
