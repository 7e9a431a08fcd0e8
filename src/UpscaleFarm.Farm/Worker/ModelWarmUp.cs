using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Farm.Packing;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// Loads the worker's models (<see cref="WorkerOptions.WarmUpModels"/>) and runs a tiny tile through each, the way a tile
/// goes (unpacked, decoded, upscaled, encoded, packed), before the bus starts (it is registered before MassTransit's host):
/// a worker that KEDA starts takes its first tile with the model loaded, the device initialised and the tile path
/// compiled, instead of spending its first second or more (minutes for a TensorRT engine) on the tiles it holds. A model
/// that fails here is logged and fails again, with its reason, at its first tile.
/// </summary>
internal sealed class ModelWarmUp(TileInference inference, ModelCatalog catalog, ITileCodec codec, IOptions<FarmOptions> options, ILogger<ModelWarmUp> logger)
    : IHostedService
{
    private const int Side = 16;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var model in Models(options.Value.Worker.WarmUpModels))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var device = inference.Prepare(model);
                await RunTileAsync(model);
                logger.LogInformation("Model {Model} warmed up on {Device} in {Milliseconds} ms", model, device, clock.ElapsedMilliseconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Model {Model} could not be warmed up; it is loaded again at its first tile", model);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<string> Models(string setting) => setting.Trim() switch
    {
        "" => [],
        "default" => [catalog.Default.Id],
        "*" => catalog.All.Where(m => File.Exists(Path.Combine(catalog.Directory, m.File))).Select(m => m.Id),
        var list => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    private async Task RunTileAsync(string model)
    {
        var pool = ArrayPool<byte>.Shared;
        var encoded = codec.Encode(new TileRaster(Side, Side, 3, false, new byte[Side * Side * 3]), pool.Rent);
        var packed = TilePack.Write([encoded], pool.Rent);
        pool.Return(encoded.Array!);
        TileRaster input;
        try
        {
            var (offset, length) = TilePack.Parts(packed.AsSpan(), 1)[0];
            input = codec.Decode(packed.AsSpan(offset, length), pool.Rent);
        }
        finally
        {
            pool.Return(packed.Array!);
        }
        TileRaster output;
        try
        {
            output = await inference.UpscaleAsync(model, input, new PixelRect(0, 0, Side, Side), 3);
        }
        finally
        {
            pool.Return(input.Pixels);
        }
        var result = codec.Encode(output, pool.Rent);
        pool.Return(output.Pixels);
        pool.Return(result.Array!);
    }
}
