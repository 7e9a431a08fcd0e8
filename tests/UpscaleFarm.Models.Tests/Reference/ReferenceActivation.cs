using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>ncnn's activation layers and the activations fused into convolutions (param 9).</summary>
public static class ReferenceActivation
{
    /// <summary>ncnn ReLU: slope 0 is a plain ReLU, any other slope a leaky one.</summary>
    public static float ReLU(float x, float slope = 0f) => x < 0f ? x * slope : x;

    public static float Sigmoid(float x) => (float)(1.0 / (1.0 + Math.Exp(-x)));

    public static float TanH(float x) => (float)Math.Tanh(x);

    public static float Clip(float x, float min, float max) => x < min ? min : x > max ? max : x;

    /// <summary>ncnn PReLU: one slope per channel, or a single slope shared by all channels.</summary>
    public static Blob PReLU(Blob input, float[] slopes) =>
        input.MapPerChannel((c, x) => x < 0f ? x * (slopes.Length > 1 ? slopes[c] : slopes[0]) : x);

    /// <summary>The activation a convolution applies to its result.</summary>
    public static Blob Fused(Blob input, int type, float[] args) => type switch
    {
        0 => input,
        1 => input.Map(x => ReLU(x)),
        2 => input.Map(x => ReLU(x, args[0])),
        3 => input.Map(x => Clip(x, args[0], args[1])),
        4 => input.Map(Sigmoid),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no reference for this activation"),
    };
}
