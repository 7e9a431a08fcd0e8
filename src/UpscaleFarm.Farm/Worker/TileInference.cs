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
    private readonly ConcurrentDictionary<(string Model, bool SixteenBit), Lazy<ModelBatcher>> _models = new();

    /// <summary>The tile's kept core, in a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> for the caller to return.</summary>
    /// <param name="abandoned">Cancelled when the tile is no longer wanted: if it is still waiting for the model, it is dropped (OperationCanceledException).</param>
    public async Task<TileRaster> UpscaleAsync(string model, TileRaster input, PixelRect coreInInput, int outputBands, CancellationToken abandoned = default) =>
        await Batcher(model, input.Is16Bit).RunAsync(new TileRequest(input, coreInInput, outputBands, abandoned));

    /// <summary>
    /// Loads a model now rather than on its first tile, so a model that cannot run fails at once, and
    /// says where it runs (e.g. "Cuda fp16").
    /// </summary>
    public string Prepare(string model)
    {
        var batcher = Batcher(model, sixteenBit: false);
        return batcher.IsFp16 ? $"{batcher.Device} fp16" : batcher.Device.ToString();
    }

    /// <summary>8- and 16-bit tiles have sessions of their own (graphs that take samples differ); a model's 16-bit session is loaded when its first 16-bit tile comes.</summary>
    private ModelBatcher Batcher(string model, bool sixteenBit)
    {
        var lazy = _models.GetOrAdd((model, sixteenBit), key => new Lazy<ModelBatcher>(() => Load(key.Model, key.SixteenBit)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Not cached: a later call retries the load instead of rethrowing the first failure forever.
            _models.TryRemove(new KeyValuePair<(string, bool), Lazy<ModelBatcher>>((model, sixteenBit), lazy));
            throw;
        }
    }

    private ModelBatcher Load(string id, bool sixteenBit)
    {
        var worker = options.Value.Worker;
        var sessions = new List<ModelSession>();
        try
        {
            var entry = catalog.Find(id);
            var farm = options.Value;
            var settings = new SessionSettings
            {
                Device = worker.Device, GpuDeviceId = worker.GpuDeviceId, IntraOpThreads = worker.IntraOpThreads,
                PageLockedBuffers = worker.PageLockedBuffers,
                TensorRtCachePath = Path.Combine(Path.GetFullPath(farm.DataDirectory), "tensorrt"),
                // The model's usual tile with its halo is what TensorRT optimises for; any tile a job may ask for still runs.
                TensorRtProfile = new TensorRtProfile(entry.TileSize + 2 * entry.Halo, farm.Limits.MaxTileSize + 2 * farm.Limits.MaxHalo, worker.BatchSize),
            };
            for (var i = 0; i < Math.Max(1, worker.InferenceStreams); i++)
                sessions.Add(LoadSession(catalog.OnnxPath(entry), sixteenBit, worker, settings));
        }
        catch
        {
            sessions.ForEach(s => s.Dispose());
            throw;
        }
        return new ModelBatcher(sessions, worker.BatchSize);
    }

    private static ModelSession LoadSession(string path, bool sixteenBit, WorkerOptions worker, SessionSettings settings)
    {
        var samples = sixteenBit ? SessionPixels.Interleaved16Bit : SessionPixels.Interleaved8Bit;
        var conversion = worker.PixelConversion;
        if (conversion == PixelConversion.Auto && !ModelSession.MayUseGpu(worker.Device))
            conversion = PixelConversion.Host;
        var session = ModelSession.Create(path, settings with { Pixels = conversion == PixelConversion.Host ? SessionPixels.PlanarFloat : samples });
        if (conversion == PixelConversion.Auto && session.Device == ExecutionDevice.Cpu && session.Pixels != SessionPixels.PlanarFloat)
        {
            // Auto found no usable GPU after all: the host converts faster than ONNX Runtime's CPU operators.
            session.Dispose();
            session = ModelSession.Create(path, settings with { Device = ExecutionDevice.Cpu });
        }
        return session;
    }

    public void Dispose()
    {
        foreach (var model in _models.Values.Where(m => m.IsValueCreated))
            model.Value.Dispose();
    }
}
