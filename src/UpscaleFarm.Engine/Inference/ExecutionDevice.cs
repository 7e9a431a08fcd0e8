namespace UpscaleFarm.Engine.Inference;

/// <summary>Where inference runs. Auto tries TensorRT, then CUDA, then the CPU.</summary>
public enum ExecutionDevice
{
    Auto,
    Cpu,
    Cuda,
    TensorRt,
}
