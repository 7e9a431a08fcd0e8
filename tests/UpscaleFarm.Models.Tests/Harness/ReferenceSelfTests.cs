using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Harness;

/// <summary>
/// The references against values worked out by hand, so that a reference sharing a mistake with the
/// converter (say, a flipped deconvolution kernel) cannot make the converter tests pass.
/// </summary>
public class ReferenceSelfTests
{
    private static void AssertValues(float[] expected, Blob actual) => Assert.Equal(expected, actual.Data, (a, b) => Math.Abs(a - b) < 1e-6f);

    [Fact]
    public void ConvolutionSumsOverTheKernelWindow()
    {
        // 1..9 in a 3x3 image, kernel [[1,2],[3,4]]: top-left output = 1*1 + 2*2 + 4*3 + 5*4.
        var input = new Blob(1, 3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var output = ReferenceConvolution.Compute(input, [1, 2, 3, 4], null, new() { Outputs = 1, KernelW = 2, KernelH = 2 });
        AssertValues([37, 47, 67, 77], output);
    }

    [Fact]
    public void ConvolutionWeightsAreOutputMajor()
    {
        // Inputs 1 and 10; weights [out][in] = [[1, 2], [3, 4]]: outputs 1 + 20 and 3 + 40.
        var input = new Blob(2, 1, 1, [1, 10]);
        var output = ReferenceConvolution.Compute(input, [1, 2, 3, 4], [0.5f, -0.5f], new() { Outputs = 2, KernelW = 1, KernelH = 1, Bias = true });
        AssertValues([21.5f, 42.5f], output);
    }

    [Fact]
    public void SameUpperPutsTheOddPaddingPixelAtTheEnd()
    {
        // Width 4, kernel 2, stride 1: one pixel of padding, on the right. A ones kernel sums pairs.
        var input = new Blob(1, 1, 4, [1, 2, 3, 4]);
        var output = ReferenceConvolution.Compute(input, [1, 1], null, new() { Outputs = 1, KernelW = 2, KernelH = 1, Pad = ConvolutionSettings.SameUpper });
        AssertValues([3, 5, 7, 4], output);
    }

    [Fact]
    public void DeconvolutionScattersTheKernelUnflipped()
    {
        // One pixel of value 2 through kernel [[1,2],[3,4]]: the kernel times 2, not rotated.
        var output = ReferenceDeconvolution.Compute(new Blob(1, 1, 1, [2]), [1, 2, 3, 4], null, new() { Outputs = 1, KernelW = 2, KernelH = 2 });
        AssertValues([2, 4, 6, 8], output);
    }

    [Fact]
    public void DeconvolutionStrideSpreadsPixelsAndPadsCutTheBorder()
    {
        // 1x1 kernel of weight 1, stride 2 on [[1,2],[3,4]]: 3x3 with zeros between; pad_left 1 cuts the first column.
        var input = new Blob(1, 2, 2, [1, 2, 3, 4]);
        var spread = ReferenceDeconvolution.Compute(input, [1], null, new() { Outputs = 1, KernelW = 1, KernelH = 1, StrideW = 2, StrideH = 2 });
        AssertValues([1, 0, 2, 0, 0, 0, 3, 0, 4], spread);
        var cut = ReferenceDeconvolution.Compute(input, [1], null, new() { Outputs = 1, KernelW = 1, KernelH = 1, StrideW = 2, StrideH = 2, PadLeft = 1 });
        AssertValues([0, 2, 0, 0, 0, 4], cut);
    }

    [Fact]
    public void DeconvolutionWeightsAreOutputMajor()
    {
        // Inputs 1 and 10; weights [out][in] = [[1, 2], [3, 4]]: outputs 1 + 20 and 3 + 40.
        var output = ReferenceDeconvolution.Compute(new Blob(2, 1, 1, [1, 10]), [1, 2, 3, 4], null, new() { Outputs = 2, KernelW = 1, KernelH = 1 });
        AssertValues([21, 43], output);
    }

    [Fact]
    public void PixelShuffleOrders()
    {
        // Channel k holds the value k. PyTorch order: channel c*4 + i*2 + j goes to (i, j) of channel c.
        var input = new Blob(8, 1, 1, [0, 1, 2, 3, 4, 5, 6, 7]);
        AssertValues([0, 1, 2, 3, 4, 5, 6, 7], ReferencePixelShuffle.Compute(input, 2, mode: 0));
        // TensorFlow order: channel (i*2 + j)*2 + c.
        AssertValues([0, 2, 4, 6, 1, 3, 5, 7], ReferencePixelShuffle.Compute(input, 2, mode: 1));
    }

    [Fact]
    public void NearestRepeatsPixels()
    {
        var output = ReferenceInterp.Nearest(new Blob(1, 1, 2, [1, 2]), 2f, 2f);
        AssertValues([1, 1, 2, 2, 1, 1, 2, 2], output);
    }

    [Fact]
    public void BilinearUsesPixelCentresAndClampsAtTheBorder()
    {
        // 2x2 [[0,1],[2,3]] doubled: column weights 0, 0.25, 0.75, 1 (the outer ones clamped), same for rows.
        var output = ReferenceInterp.Bilinear(new Blob(1, 2, 2, [0, 1, 2, 3]), 2f, 2f, alignCorner: false);
        float[] t = [0, 0.25f, 0.75f, 1];
        AssertValues([.. from y in t from x in t select x + 2 * y], output);
    }

    [Fact]
    public void BilinearWithAlignCornerKeepsTheCorners()
    {
        // Width 2 to 3 with aligned corners: 0, the midpoint, 1.
        var output = ReferenceInterp.Bilinear(new Blob(1, 2, 2, [0, 1, 0, 1]), 1.5f, 1.5f, alignCorner: true);
        AssertValues([0, 0.5f, 1, 0, 0.5f, 1, 0, 0.5f, 1], output);
    }

    [Fact]
    public void BicubicOfAnImpulse()
    {
        // A single 1 at column 2 of a 6-wide row, doubled. With A = -0.75 the Keys weights at
        // distances 0.25, 0.75, 1.25 and 1.75 are 0.87890625, 0.26171875, -0.10546875 and -0.03515625.
        var row = new float[6];
        row[2] = 1;
        var input = new Blob(1, 4, 6, [.. row, .. row, .. row, .. row]);
        var output = ReferenceInterp.Bicubic(input, 2f, 2f, alignCorner: false);
        float[] expected = [0, -0.03515625f, -0.10546875f, 0.26171875f, 0.87890625f, 0.87890625f, 0.26171875f, -0.10546875f, -0.03515625f, 0, 0, 0];
        for (var y = 0; y < output.H; y++)
            AssertValues(expected, new Blob(1, 1, 12, output.Data[(y * 12)..((y + 1) * 12)]));
    }

    [Fact]
    public void BicubicKeepsAConstantImageConstant()
    {
        var output = ReferenceInterp.Bicubic(new Blob(1, 5, 5, Enumerable.Repeat(0.7f, 25).ToArray()), 3f, 2f, alignCorner: false);
        Assert.All(output.Data, v => Assert.Equal(0.7f, v, 1e-6f));
    }

    [Fact]
    public void BinaryOpReversedOperations()
    {
        Assert.Equal(5f - 2f, ReferenceBinaryOp.Apply(7, 2f, 5f));
        Assert.Equal(5f / 2f, ReferenceBinaryOp.Apply(8, 2f, 5f));
        Assert.Equal(25f, ReferenceBinaryOp.Apply(9, 2f, 5f));
        Assert.Equal(32f, ReferenceBinaryOp.Apply(6, 2f, 5f));
    }
}
