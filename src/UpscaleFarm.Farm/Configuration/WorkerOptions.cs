using UpscaleFarm.Engine.Inference;

namespace UpscaleFarm.Farm.Configuration;

public sealed class WorkerOptions
{
    /// <summary>Tiles per inference call: more keeps a GPU busy; 1 suits a CPU.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>
    /// Tiles a worker holds at once (MassTransit's concurrent message limit and prefetch). Beyond the
    /// batch in inference, the rest are being downloaded, decoded, encoded or uploaded on CPU threads,
    /// so the device never waits for the output path. 0 means 2 × BatchSize × InferenceStreams + 1.
    /// </summary>
    public int ConcurrentTiles { get; set; }

    public ExecutionDevice Device { get; set; } = ExecutionDevice.Auto;

    /// <summary>Where tiles' samples become the model's floats and back (<see cref="PixelConversion"/>).</summary>
    public PixelConversion PixelConversion { get; set; } = PixelConversion.Auto;

    /// <summary>
    /// Inferences of one model in flight at once, each in a session of its own (on a GPU, its own CUDA stream),
    /// so one tile's copies overlap another's compute. 1 suits a CPU, where one inference already uses every core.
    /// </summary>
    public int InferenceStreams { get; set; } = 1;

    /// <summary>On a GPU, tiles' samples in CUDA's page-locked host memory (copies by DMA, no staging); false for ordinary memory.</summary>
    public bool PageLockedBuffers { get; set; } = true;

    /// <summary>CPU threads for one inference on the CPU device; 0 means one per core.</summary>
    public int IntraOpThreads { get; set; }

    public int GpuDeviceId { get; set; }

    /// <summary>Deliveries of one tile (crashes included) before it is declared poison and its job fails.</summary>
    public int MaxTileAttempts { get; set; } = 5;

    /// <summary>
    /// Models loaded and run once on a tiny tile when the worker starts, before it takes its first tile, so that its first
    /// tiles do not pay for loading the model, compiling the tile path and the device's first run (on a GPU, seconds):
    /// "default" (the catalog's default model), "*" (every installed model), a comma-separated list of model ids, or ""
    /// (none: each model loads on its first tile).
    /// </summary>
    public string WarmUpModels { get; set; } = "default";

    public int EffectiveConcurrency => ConcurrentTiles > 0 ? ConcurrentTiles : 2 * BatchSize * Math.Max(1, InferenceStreams) + 1;
}
