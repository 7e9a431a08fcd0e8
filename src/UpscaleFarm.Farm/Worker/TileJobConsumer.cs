using System.Buffers;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Contracts.V1;
using UpscaleFarm.Farm.Client;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.JobStore;
using UpscaleFarm.Farm.Messaging;
using UpscaleFarm.Farm.Telemetry;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Storage;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Runs one tile: count the attempt, read the input window, upscale it, write the kept core and report
/// it. A tile of a cancelled or failed job, or one already done, is acknowledged without work; a tile
/// delivered more than MaxTileAttempts times (it keeps failing or killing its worker) fails its job.
/// </summary>
public sealed class TileJobConsumer(IJobStore store, IObjectStore objects, ITileCodec codec, TileInference inference,
    IOptions<FarmOptions> options, ILogger<TileJobConsumer> logger) : IConsumer<TileJob>
{
    public async Task Consume(ConsumeContext<TileJob> context)
    {
        var tile = context.Message;
        var farm = options.Value;
        // One delivery is one attempt: the in-process retries of that delivery (an outage waited out, a quick
        // retry) share its receive context, which carries a mark once it was counted. A redelivery after the
        // worker died is a new receive, and counts: that is what a poison tile does.
        var first = !context.ReceiveContext.TryGetPayload<AttemptCounted>(out _);
        var attempt = await store.BeginTileAttemptAsync(tile.JobId, tile.Frame, tile.Tile, farm.Instance, Clock.NowMs, count: first,
            cancellation: context.CancellationToken);
        context.ReceiveContext.GetOrAddPayload(() => new AttemptCounted());
        if (!attempt.Proceed)
        {
            logger.LogDebug("Skipping tile {Frame}/{Tile} of job {JobId}: the job is not running or the tile is done", tile.Frame, tile.Tile, tile.JobId);
            return;
        }
        if (attempt.Attempts > farm.Worker.MaxTileAttempts)
        {
            var reason = $"tile {tile.Tile} of frame {tile.Frame} was attempted {attempt.Attempts - 1} times without completing"
                + (attempt.LastError is null ? " (its worker stopped each time)" : $"; last error: {attempt.LastError}");
            await context.Publish(new TileFailed(tile.JobId, tile.Frame, tile.Tile, farm.Instance, reason, attempt.Attempts - 1));
            return;
        }

        TileSpans.QueueWait(tile, context.SentTime);
        FarmTelemetry.TilesInFlight.Add(1);
        try
        {
            // Every tile-sized buffer is rented and returned: a worker moves hundreds of megabytes a second, and
            // fresh arrays for each tile would be garbage faster than the collector returns it.
            var pool = ArrayPool<byte>.Shared;
            TileRaster input;
            using (var download = TileSpans.Start("download tile", tile))
            {
                var (bytes, length) = await objects.RentAllBytesAsync(tile.InputKey, pool, context.CancellationToken);
                try
                {
                    download.Bytes(length);
                    input = codec.Decode(bytes.AsSpan(0, length), pool.Rent);
                }
                finally
                {
                    pool.Return(bytes);
                }
            }
            var g = tile.Geometry;
            var core = new PixelRect(g.CoreX - g.InputX, g.CoreY - g.InputY, g.CoreWidth, g.CoreHeight);
            var device = inference.Prepare(tile.Model);
            TileRaster output;
            TimeSpan inferenceTime;
            using (var run = TileSpans.Start("inference", tile))
            {
                run.Inference(device, farm.Worker.BatchSize);
                try
                {
                    output = await inference.UpscaleAsync(tile.Model, input, core, tile.OutputBands);
                }
                finally
                {
                    pool.Return(input.Pixels);
                }
                inferenceTime = run.Elapsed;
            }
            var outputPixels = (long)output.Width * output.Height;
            using (var upload = TileSpans.Start("upload tile", tile))
            {
                ArraySegment<byte> encoded;
                try
                {
                    encoded = codec.Encode(output, pool.Rent);
                }
                finally
                {
                    pool.Return(output.Pixels);
                }
                try
                {
                    upload.Bytes(encoded.Count);
                    await objects.PutAsync(tile.OutputKey, new MemoryStream(encoded.Array!, encoded.Offset, encoded.Count, writable: false), context.CancellationToken);
                }
                finally
                {
                    pool.Return(encoded.Array!);
                }
            }
            WorkerCpuAccount.TileDelivered(outputPixels);
            FarmTelemetry.TilesCompleted.Add(1, new(FarmTelemetry.Tags.Model, tile.Model), new(FarmTelemetry.Tags.Device, device));
            await context.Publish(new TileCompleted(tile.JobId, tile.Frame, tile.Tile, farm.Instance, inferenceTime, DateTimeOffset.UtcNow));
        }
        catch (Exception e) when (e is not OperationCanceledException && !TransientFailures.IsTransient(e))
        {
            // The recorded error may become the job's: the user's words for input errors, a fixed sentence otherwise.
            logger.LogWarning(e, "Tile {Frame}/{Tile} of job {JobId} failed", tile.Frame, tile.Tile, tile.JobId);
            await store.RecordTileErrorAsync(tile.JobId, tile.Frame, tile.Tile, PublicErrors.Describe(e), CancellationToken.None);
            throw;
        }
        finally
        {
            FarmTelemetry.TilesInFlight.Add(-1);
        }
    }

    /// <summary>Marks a receive whose attempt is counted.</summary>
    private sealed class AttemptCounted;
}
