using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Reference;

/// <summary>
/// ncnn's Deconvolution and DeconvolutionDepthWise, computed directly by scattering every input pixel
/// through the kernel into a full-size output, then cutting the pads off its borders. Weights are
/// [group][out/group][in/group][kh][kw] (out before in, unlike PyTorch's ConvTranspose2d).
/// </summary>
public static class ReferenceDeconvolution
{
    public static Blob Compute(Blob input, float[] weight, float[]? bias, ConvolutionSettings s)
    {
        int extentW = s.DilationW * (s.KernelW - 1) + 1, extentH = s.DilationH * (s.KernelH - 1) + 1;
        var fullW = (input.W - 1) * s.StrideW + extentW + s.OutputPadRight;
        var fullH = (input.H - 1) * s.StrideH + extentH + s.OutputPadBottom;
        int inPerGroup = input.C / s.Group, outPerGroup = s.Outputs / s.Group;
        Assert.Equal(s.WeightCount(input.C), weight.Length);

        // ncnn fills the whole bordered output (output padding included) with the bias before scattering.
        var full = new Blob(s.Outputs, fullH, fullW);
        for (var o = 0; o < s.Outputs; o++)
        {
            var group = o / outPerGroup;
            for (var i = 0; i < fullH * fullW; i++)
                full.Data[o * fullH * fullW + i] = bias?[o] ?? 0f;
            for (var i = 0; i < inPerGroup; i++)
            for (var y = 0; y < input.H; y++)
            for (var x = 0; x < input.W; x++)
            {
                var value = input[group * inPerGroup + i, y, x];
                for (var ky = 0; ky < s.KernelH; ky++)
                for (var kx = 0; kx < s.KernelW; kx++)
                    full[o, y * s.StrideH + ky * s.DilationH, x * s.StrideW + kx * s.DilationW] +=
                        value * weight[((o * inPerGroup + i) * s.KernelH + ky) * s.KernelW + kx];
            }
        }

        var output = new Blob(s.Outputs, fullH - s.PadTop - s.PadBottom, fullW - s.PadLeft - s.PadRight);
        for (var o = 0; o < output.C; o++)
        for (var y = 0; y < output.H; y++)
        for (var x = 0; x < output.W; x++)
            output[o, y, x] = full[o, y + s.PadTop, x + s.PadLeft];
        return ReferenceActivation.Fused(output, s.Activation, s.ActivationArgs);
    }
}
