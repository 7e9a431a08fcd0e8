using System.CommandLine;
using UpscaleFarm.Engine.Inference;

namespace UpscaleFarm.Cli.Terminal;

/// <summary>The --device option shared by the commands that run a model.</summary>
public static class DeviceOption
{
    public static Option<ExecutionDevice> Create() => new("--device")
    {
        Description = "auto (TensorRT, then CUDA, then CPU), cpu, cuda or tensorrt",
        DefaultValueFactory = _ => ExecutionDevice.Auto,
    };
}
