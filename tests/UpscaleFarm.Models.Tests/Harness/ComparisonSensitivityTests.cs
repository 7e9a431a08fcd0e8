using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Harness;

/// <summary>
/// The converter tests would notice the classic layout mistakes: each case feeds the reference a
/// wrongly laid-out copy of the weights and shows that the result moves far outside the tolerance.
/// </summary>
public class ComparisonSensitivityTests
{
    private const float FarOutside = 100 * BlobAssert.Tolerance;

    /// <summary>Reads [a][b][k] weights as [b][a][k]: the transposition an exporter mix-up would cause.</summary>
    private static float[] SwapFirstTwoAxes(float[] w, int a, int b, int k)
    {
        var swapped = new float[w.Length];
        for (var i = 0; i < a; i++)
        for (var j = 0; j < b; j++)
            Array.Copy(w, (i * b + j) * k, swapped, (j * a + i) * k, k);
        return swapped;
    }

    private static (Blob Converted, Blob Input, float[] Weight) ConvertSingle(string type, ConvolutionSettings s, int inputs, int seed)
    {
        var input = RandomValues.Blob(inputs, 5, 6, seed);
        var weight = RandomValues.Floats(s.WeightCount(inputs), seed + 1);
        var network = new NcnnModelWriter().Input().Layer(type, "layer", ["data"], ["out"], s.ToNcnnParams(inputs, grouped: false)).Fp32Weights(weight);
        return (ConvertedNetwork.Run(network, input), input, weight);
    }

    [Fact]
    public void ConvolutionWithInputMajorWeightsWouldBeCaught()
    {
        var s = new ConvolutionSettings { Outputs = 3, Pad = 1 };
        // Square in/out counts so the transposed weights still fit; the values differ all the same.
        var (converted, input, weight) = ConvertSingle("Convolution", s, inputs: 3, seed: 1300);
        BlobAssert.Close(ReferenceConvolution.Compute(input, weight, null, s), converted);
        var wrong = ReferenceConvolution.Compute(input, SwapFirstTwoAxes(weight, 3, 3, 9), null, s);
        Assert.True(BlobAssert.MaxDifference(wrong, converted) > FarOutside);
    }

    [Fact]
    public void ConvolutionWithKernelRowsAndColumnsSwappedWouldBeCaught()
    {
        var s = new ConvolutionSettings { Outputs = 2, Pad = 1 };
        var (converted, input, weight) = ConvertSingle("Convolution", s, inputs: 2, seed: 1310);
        var wrong = ReferenceConvolution.Compute(input, TransposeKernels(weight, 3), null, s);
        Assert.True(BlobAssert.MaxDifference(wrong, converted) > FarOutside);
    }

    [Fact]
    public void DeconvolutionWithPyTorchWeightLayoutWouldBeCaught()
    {
        var s = new ConvolutionSettings { Outputs = 3, KernelW = 4, KernelH = 4, StrideW = 2, StrideH = 2, Pad = 1 };
        var (converted, input, weight) = ConvertSingle("Deconvolution", s, inputs: 3, seed: 1320);
        BlobAssert.Close(ReferenceDeconvolution.Compute(input, weight, null, s), converted);
        var wrong = ReferenceDeconvolution.Compute(input, SwapFirstTwoAxes(weight, 3, 3, 16), null, s);
        Assert.True(BlobAssert.MaxDifference(wrong, converted) > FarOutside);
    }

    [Fact]
    public void DeconvolutionWithAFlippedKernelWouldBeCaught()
    {
        var s = new ConvolutionSettings { Outputs = 2, StrideW = 2, StrideH = 2, Pad = 1 };
        var (converted, input, weight) = ConvertSingle("Deconvolution", s, inputs: 2, seed: 1330);
        var flipped = new float[weight.Length];
        for (var k = 0; k < weight.Length; k += 9)
            for (var t = 0; t < 9; t++)
                flipped[k + t] = weight[k + 8 - t];
        var wrong = ReferenceDeconvolution.Compute(input, flipped, null, s);
        Assert.True(BlobAssert.MaxDifference(wrong, converted) > FarOutside);
    }

    [Fact]
    public void PixelShuffleInTheOtherOrderWouldBeCaught()
    {
        var input = RandomValues.Blob(8, 3, 4, seed: 1340);
        var network = new NcnnModelWriter().Input(channels: 8).Layer("PixelShuffle", "shuffle", ["data"], ["out"], "0=2");
        var converted = ConvertedNetwork.Run(network, input);
        Assert.True(BlobAssert.MaxDifference(ReferencePixelShuffle.Compute(input, 2, mode: 1), converted) > FarOutside);
    }

    /// <summary>Each k x k kernel transposed (rows become columns).</summary>
    private static float[] TransposeKernels(float[] w, int k)
    {
        var result = new float[w.Length];
        for (var start = 0; start < w.Length; start += k * k)
            for (var y = 0; y < k; y++)
                for (var x = 0; x < k; x++)
                    result[start + x * k + y] = w[start + y * k + x];
        return result;
    }
}
