using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// ncnn PixelShuffle with factor r. Mode 0 is PyTorch's order (the sub-pixel index is the fastest
/// part of the input channel: c*r*r + i*r + j); mode 1 is TensorFlow's depth-to-space ((i*r + j)*C + c).
/// </summary>
public static class ReferencePixelShuffle
{
    public static Blob Compute(Blob input, int r, int mode)
    {
        var outC = input.C / (r * r);
        var output = new Blob(outC, input.H * r, input.W * r);
        for (var c = 0; c < outC; c++)
        for (var i = 0; i < r; i++)
        for (var j = 0; j < r; j++)
        {
            var source = mode == 0 ? c * r * r + i * r + j : (i * r + j) * outC + c;
            for (var y = 0; y < input.H; y++)
            for (var x = 0; x < input.W; x++)
                output[c, y * r + i, x * r + j] = input[source, y, x];
        }
        return output;
    }
}
