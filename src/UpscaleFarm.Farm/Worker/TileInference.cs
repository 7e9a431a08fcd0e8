using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using UpscaleFarm.Engine.Inference;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Imaging;
using UpscaleFarm.Imaging.Codecs;
using UpscaleFarm.Models.Catalog;

namespace UpscaleFarm.Farm.Worker;

/// <summary>
/// A worker's models: sessions are created on first use and kept, so one worker serves every model
/// in its catalog without reloading (a GPU session takes seconds to build).
/// </summary>
public sealed class TileInference(ModelCatalog catalog, IOptions<FarmOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<(string Model, SessionPixels Pixels), Lazy<ModelBatcher>> _models = new();

    /// <summary>The tile's kept core, in a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> for the caller to return.</summary>
    public async Task<TileRaster> UpscaleAsync(string model, TileRaster input, PixelRect coreInInput, int outputBands) =>
        await Batcher(model, input.Is16Bit).RunAsync(new TileRequest(input, coreInInput, outputBands));

    /// <summary>
    /// Loads a model now rather than on its first tile, so a model that cannot run fails at once, and
    /// says where it runs (e.g. "Cuda fp16").
    /// </summary>
    public string Prepare(string model)
    {
        var batcher = Batcher(model, sixteenBit: false);
        return batcher.IsFp16 ? $"{batcher.Device} fp16" : batcher.Device.ToString();
    }

    /// <summary>
    /// With device pixels, 8- and 16-bit tiles need graphs of their own; the 16-bit one is loaded only when a
    /// 16-bit tile comes. Host conversion serves both from one float session.
    /// </summary>
    private ModelBatcher Batcher(string model, bool sixteenBit)
    {
        var pixels = !options.Value.Worker.DevicePixels ? SessionPixels.PlanarFloat
            : sixteenBit ? SessionPixels.Interleaved16Bit : SessionPixels.Interleaved8Bit;
        var lazy = _models.GetOrAdd((model, pixels), key => new Lazy<ModelBatcher>(() => Load(key.Model, key.Pixels)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Not cached: a later call retries the load instead of rethrowing the first failure forever.
            _models.TryRemove(new KeyValuePair<(string, SessionPixels), Lazy<ModelBatcher>>((model, pixels), lazy));
            throw;
        }
    }

    private ModelBatcher Load(string id, SessionPixels pixels)
    {
        var worker = options.Value.Worker;
        var session = ModelSession.Create(catalog.OnnxPath(catalog.Find(id)), new SessionSettings
        {
            Device = worker.Device, GpuDeviceId = worker.GpuDeviceId, IntraOpThreads = worker.IntraOpThreads, Pixels = pixels,
        });
        return new ModelBatcher(session, worker.BatchSize);
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
            model.Value.Dispose();
    }
}
