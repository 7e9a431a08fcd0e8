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
    private readonly ConcurrentDictionary<string, Lazy<ModelBatcher>> _models = new();

    public async Task<TileRaster> UpscaleAsync(string model, TileRaster input, PixelRect coreInInput, int outputBands) =>
        await Batcher(model).RunAsync(new TileRequest(input, coreInInput, outputBands));

    /// <summary>
    /// Loads a model now rather than on its first tile, so a model that cannot run fails at once, and
    /// says where it runs (e.g. "Cuda fp16").
    /// </summary>
    public string Prepare(string model)
    {
        var batcher = Batcher(model);
        return batcher.IsFp16 ? $"{batcher.Device} fp16" : batcher.Device.ToString();
    }

    private ModelBatcher Batcher(string model)
    {
        var lazy = _models.GetOrAdd(model, id => new Lazy<ModelBatcher>(() => Load(id)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Not cached: a later call retries the load instead of rethrowing the first failure forever.
            _models.TryRemove(new KeyValuePair<string, Lazy<ModelBatcher>>(model, lazy));
            throw;
        }
    }

    private ModelBatcher Load(string id)
    {
        var worker = options.Value.Worker;
        var session = ModelSession.Create(catalog.OnnxPath(catalog.Find(id)),
            new SessionSettings { Device = worker.Device, GpuDeviceId = worker.GpuDeviceId });
        return new ModelBatcher(session, worker.BatchSize);
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
            model.Value.Dispose();
    }
}
