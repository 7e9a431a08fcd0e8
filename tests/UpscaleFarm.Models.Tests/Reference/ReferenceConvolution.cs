using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// ncnn's Convolution and ConvolutionDepthWise, computed directly: zero padding, then for every output
/// pixel the sum over the input channels of its group and the kernel taps. Weights are
/// [group][out/group][in/group][kh][kw], i.e. [out][in/group][kh][kw].
/// </summary>
public static class ReferenceConvolution
{
    public static Blob Compute(Blob input, float[] weight, float[]? bias, ConvolutionSettings s)
    {
        int extentW = s.DilationW * (s.KernelW - 1) + 1, extentH = s.DilationH * (s.KernelH - 1) + 1;
        var (padLeft, padTop, padRight, padBottom) = s.PadLeft == ConvolutionSettings.SameUpper
            ? SameUpperPads(input, s, extentW, extentH)
            : (s.PadLeft, s.PadTop, s.PadRight, s.PadBottom);
        var outW = (input.W + padLeft + padRight - extentW) / s.StrideW + 1;
        var outH = (input.H + padTop + padBottom - extentH) / s.StrideH + 1;
        int inPerGroup = input.C / s.Group, outPerGroup = s.Outputs / s.Group;
        Assert.Equal(s.WeightCount(input.C), weight.Length);

        var output = new Blob(s.Outputs, outH, outW);
        for (var o = 0; o < s.Outputs; o++)
        {
            var group = o / outPerGroup;
            for (var oy = 0; oy < outH; oy++)
            for (var ox = 0; ox < outW; ox++)
            {
                double sum = bias?[o] ?? 0f;
                for (var i = 0; i < inPerGroup; i++)
                for (var ky = 0; ky < s.KernelH; ky++)
                for (var kx = 0; kx < s.KernelW; kx++)
                {
                    var iy = oy * s.StrideH + ky * s.DilationH - padTop;
                    var ix = ox * s.StrideW + kx * s.DilationW - padLeft;
                    if (iy < 0 || iy >= input.H || ix < 0 || ix >= input.W)
                        continue; // zero padding
                    sum += input[group * inPerGroup + i, iy, ix] * weight[((o * inPerGroup + i) * s.KernelH + ky) * s.KernelW + kx];
                }
                output[o, oy, ox] = (float)sum;
            }
        }
        return ReferenceActivation.Fused(output, s.Activation, s.ActivationArgs);
    }

    /// <summary>
    /// ncnn's pad -233: pad so that the output is ceil(size / stride), the odd pixel going to the
    /// right/bottom (as in ncnn's Convolution::make_padding).
    /// </summary>
    private static (int Left, int Top, int Right, int Bottom) SameUpperPads(Blob input, ConvolutionSettings s, int extentW, int extentH)
    {
        var wpad = Math.Max(0, extentW + (input.W - 1) / s.StrideW * s.StrideW - input.W);
        var hpad = Math.Max(0, extentH + (input.H - 1) / s.StrideH * s.StrideH - input.H);
        return (wpad / 2, hpad / 2, wpad - wpad / 2, hpad - hpad / 2);
    }
}
