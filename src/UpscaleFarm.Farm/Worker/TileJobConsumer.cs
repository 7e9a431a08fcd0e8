using System.Buffers;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Packing;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Runs one pack of tiles (<see cref="TileJob"/>; a single tile when tiles are large): count the attempt, read the inputs,
/// upscale each tile, write the kept cores as one pack and report it. A pack of a cancelled or failed job, or one
/// already done, is acknowledged without work, and one whose job ends while it is here stops (<see cref="EndedJobs"/>):
/// its tiles still waiting for the model are dropped, and the model finishes only the batch it is running. A pack
/// delivered more than MaxTileAttempts times (it keeps failing or killing its worker) fails its job.
/// </summary>
public sealed class TileJobConsumer(IPackAttemptStore store, IObjectStore objects, ITileCodec codec, TileInference inference, EndedJobs endedJobs,
    IOptions<FarmOptions> options, ILogger<TileJobConsumer> logger) : IConsumer<TileJob>
{
    public async Task Consume(ConsumeContext<TileJob> context)
    {
        var pack = context.Message;
        var farm = options.Value;
        // One delivery is one attempt: the in-process retries of that delivery (an outage waited out, a quick
        // retry) share its receive context, which carries a mark once it was counted. A redelivery after the
        // worker died is a new receive, and counts: that is what a poison tile does.
        var first = !context.ReceiveContext.TryGetPayload<AttemptCounted>(out _);
        var attempt = await store.BeginPackAttemptAsync(pack.JobId, pack.Frame, pack.Tile, farm.Instance, Clock.NowMs, count: first,
            cancellation: context.CancellationToken);
        context.ReceiveContext.GetOrAddPayload(() => new AttemptCounted());
        if (!attempt.Proceed)
        {
            logger.LogDebug("Skipping {Tiles} of job {JobId}: the job is not running or the tiles are done", Name(pack), pack.JobId);
            return;
        }
        if (attempt.Attempts > farm.Worker.MaxTileAttempts)
        {
            var reason = $"{Name(pack)} {(pack.Tiles.Count == 1 ? "was" : "were")} attempted {attempt.Attempts - 1} times without completing"
                + (attempt.LastError is null ? " (its worker stopped each time)" : $"; last error: {attempt.LastError}");
            await context.Publish(new TileFailed(pack.JobId, pack.Frame, pack.Tile, farm.Instance, reason, attempt.Attempts - 1));
            return;
        }

        TileSpans.QueueWait(pack, context.SentTime);
        FarmTelemetry.TilesInFlight.Add(pack.Tiles.Count);
        using var job = endedJobs.Watch(pack.JobId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, job.Ended);
        try
        {
            // Every tile-sized buffer is rented and returned: a worker moves hundreds of megabytes a second, and
            // fresh arrays for each tile would be garbage faster than the collector returns it.
            var inputs = await DownloadAsync(pack, stop.Token);
            var device = inference.Prepare(pack.Model);
            TileRaster[] outputs;
            TimeSpan inferenceTime;
            using (var run = TileSpans.Start("inference", pack))
            {
                run.Inference(device, farm.Worker.BatchSize);
                outputs = await UpscaleAsync(pack, inputs, job.Ended);
                inferenceTime = run.Elapsed;
            }
            var outputPixels = outputs.Sum(o => (long)o.Width * o.Height);
            await UploadAsync(pack, outputs, stop.Token);
            FarmTelemetry.OutputPixels.Add(outputPixels, new(FarmTelemetry.Tags.Model, pack.Model), new(FarmTelemetry.Tags.Device, device));
            FarmTelemetry.TilesCompleted.Add(pack.Tiles.Count, new(FarmTelemetry.Tags.Model, pack.Model), new(FarmTelemetry.Tags.Device, device));
            await context.Publish(new TileCompleted(pack.JobId, pack.Frame, pack.Tile, farm.Instance, inferenceTime, DateTimeOffset.UtcNow));
        }
        catch (OperationCanceledException) when (job.Ended.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            // The job was cancelled or failed meanwhile: nothing of this pack is wanted any more.
            logger.LogDebug("Dropped {Tiles} of job {JobId}: the job ended while they were here", Name(pack), pack.JobId);
        }
        catch (Exception e) when (e is not OperationCanceledException && !TransientFailures.IsTransient(e))
        {
            // The recorded error may become the job's: the user's words for input errors, a fixed sentence otherwise.
            logger.LogWarning(e, "{Tiles} of job {JobId} failed", Name(pack), pack.JobId);
            await store.RecordPackErrorAsync(pack.JobId, pack.Frame, pack.Tile, PublicErrors.Describe(e), CancellationToken.None);
            throw;
        }
        finally
        {
            FarmTelemetry.TilesInFlight.Add(-pack.Tiles.Count);
        }
    }

    /// <summary>How messages name a pack: "tile 5 of frame 0", or "tiles 0 to 9 of frame 0".</summary>
    public static string Name(TileJob pack) => pack.Tiles.Count == 1
        ? $"tile {pack.Tile} of frame {pack.Frame}"
        : $"tiles {pack.Tile} to {pack.Tiles[^1].Tile} of frame {pack.Frame}";

    /// <summary>The pack's inputs, decoded into pooled buffers.</summary>
    private async Task<TileRaster[]> DownloadAsync(TileJob pack, CancellationToken cancellation)
    {
        var pool = ArrayPool<byte>.Shared;
        using var download = TileSpans.Start("download tile", pack);
        var (bytes, length) = await objects.RentAllBytesAsync(pack.InputKey, pool, cancellation);
        var inputs = new List<TileRaster>(pack.Tiles.Count);
        try
        {
            download.Bytes(length);
            foreach (var (offset, count) in TilePack.Parts(bytes.AsSpan(0, length), pack.Tiles.Count))
                inputs.Add(codec.Decode(bytes.AsSpan(offset, count), pool.Rent));
            return inputs.ToArray();
        }
        catch
        {
            inputs.ForEach(input => pool.Return(input.Pixels));
            throw;
        }
        finally
        {
            pool.Return(bytes);
        }
    }

    /// <summary>
    /// Upscales the pack's tiles all at once, so the model's batcher can fill its batches from one pack; each input goes
    /// back to the pool as its tile is done.
    /// </summary>
    private async Task<TileRaster[]> UpscaleAsync(TileJob pack, TileRaster[] inputs, CancellationToken abandoned)
    {
        var pool = ArrayPool<byte>.Shared;
        var outputs = new TileRaster?[inputs.Length];
        var runs = inputs.Select(async (input, i) =>
        {
            try
            {
                outputs[i] = await inference.UpscaleAsync(pack.Model, input, pack.Tiles[i].Geometry.CoreInInput(),
                    pack.OutputBands, abandoned);
            }
            finally
            {
                pool.Return(input.Pixels);
            }
        }).ToList();
        try
        {
            await Task.WhenAll(runs);
            return outputs.Select(o => o!).ToArray();
        }
        catch
        {
            foreach (var output in outputs)
                if (output is not null)
                    pool.Return(output.Pixels);
            throw;
        }
    }

    /// <summary>Encodes the outputs into one pack and writes it; every output goes back to the pool.</summary>
    private async Task UploadAsync(TileJob pack, TileRaster[] outputs, CancellationToken cancellation)
    {
        var pool = ArrayPool<byte>.Shared;
        using var upload = TileSpans.Start("upload tile", pack);
        var encoded = new List<ArraySegment<byte>>(outputs.Length);
        ArraySegment<byte> packed = default;
        try
        {
            foreach (var output in outputs)
                encoded.Add(codec.Encode(output, pool.Rent));
            packed = TilePack.Write(encoded, pool.Rent);
        }
        finally
        {
            foreach (var output in outputs)
                pool.Return(output.Pixels);
            foreach (var part in encoded)
                pool.Return(part.Array!);
        }
        try
        {
            upload.Bytes(packed.Count);
            await objects.PutAsync(pack.OutputKey, new MemoryStream(packed.Array!, packed.Offset, packed.Count, writable: false), cancellation);
        }
        finally
        {
            pool.Return(packed.Array!);
        }
    }

    /// <summary>Marks a receive whose attempt is counted.</summary>
    private sealed class AttemptCounted;
}
