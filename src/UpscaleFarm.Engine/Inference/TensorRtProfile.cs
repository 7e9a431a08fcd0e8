namespace UpscaleFarm.Engine.Inference;

/// <summary>
/// The tile shapes a TensorRT engine is built for: TensorRT optimises for one shape (the model's usual tile
/// with its halo, at the worker's batch size) and accepts any up to the largest tile a job may ask for.
/// Without a profile, TensorRT builds a new engine (minutes) for every new tile shape it meets.
/// </summary>
public sealed record TensorRtProfile(int OptimalSide, int MaxSide, int MaxBatch)
{
    private const int MinSide = 16;

    /// <summary>ONNX Runtime's trt_profile_{min,opt,max}_shapes options for a graph input in the given layout.</summary>
    public IReadOnlyDictionary<string, string> ProviderOptions(string input, SessionPixels pixels)
    {
        string Shape(int batch, int side, int channels) => pixels == SessionPixels.PlanarFloat
            ? $"{input}:{batch}x3x{side}x{side}"
            : $"{input}:{batch}x{side}x{side}x{channels}";
        return new Dictionary<string, string>
        {
            ["trt_profile_min_shapes"] = Shape(1, MinSide, pixels == SessionPixels.PlanarFloat ? 3 : 1),
            ["trt_profile_opt_shapes"] = Shape(Math.Max(1, MaxBatch), Math.Max(MinSide, OptimalSide), 3),
            ["trt_profile_max_shapes"] = Shape(Math.Max(1, MaxBatch), Math.Max(Math.Max(MinSide, OptimalSide), MaxSide), 3),
        };
    }
}
