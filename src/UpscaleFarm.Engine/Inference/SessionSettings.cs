namespace UpscaleFarm.Engine.Inference;

/// <summary>How ONNX Runtime sessions are created.</summary>
public sealed record SessionSettings
{
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    public int GpuDeviceId { get; init; }

    /// <summary>CPU threads for one inference; 0 means one per core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Half precision on GPUs (TensorRT's fp16 flag, or an fp16 copy of the graph for CUDA).</summary>
    public bool Fp16OnGpu { get; init; } = true;

    /// <summary>What the session takes and returns; the worker asks for samples, so pixels are converted on the device.</summary>
    public SessionPixels Pixels { get; init; } = SessionPixels.PlanarFloat;

    /// <summary>
    /// On a GPU, sample buffers in CUDA's page-locked host memory, so copies to and from the device need no
    /// staging copy; false keeps them in ordinary (.NET-pinned) memory, for measuring the difference.
    /// </summary>
    public bool PageLockedBuffers { get; init; } = true;

    /// <summary>Where TensorRT keeps built engines between runs; building one takes minutes.</summary>
    public string? TensorRtCachePath { get; init; }

    /// <summary>The tile shapes TensorRT builds its engine for; null lets TensorRT build one per shape it meets.</summary>
    public TensorRtProfile? TensorRtProfile { get; init; }
}
