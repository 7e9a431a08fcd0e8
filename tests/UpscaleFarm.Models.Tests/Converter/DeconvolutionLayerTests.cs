namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>ncnn Deconvolution and DeconvolutionDepthWise (transposed convolution, weights [out][in][kh][kw]).</summary>
public class DeconvolutionLayerTests
{
    [Fact]
    public void Stride2Kernel4Pad1WithBias() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 2, KernelW = 4, KernelH = 4, StrideW = 2, StrideH = 2, Pad = 1, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 500);

    [Fact]
    public void Stride1Kernel3WithoutBias() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 4, KernelW = 3, KernelH = 3 },
            inputs: 2, height: 6, width: 5, seed: 510);

    [Fact]
    public void Stride1Kernel3Pad1() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 3, Pad = 1, Bias = true },
            inputs: 4, height: 5, width: 7, seed: 515);

    [Fact]
    public void NonSquareKernelAndStride() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 3, KernelW = 4, KernelH = 3, StrideW = 2, StrideH = 1, PadLeft = 1, PadRight = 1, PadTop = 1, PadBottom = 1, Bias = true },
            inputs: 2, height: 5, width: 6, seed: 520);

    [Fact]
    public void DilationWithFusedLeakyReLU() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 3, DilationW = 2, DilationH = 2, StrideW = 2, StrideH = 2, Pad = 1, Bias = true, Activation = 2, ActivationArgs = [0.2f] },
            inputs: 2, height: 5, width: 6, seed: 530);

    [Fact]
    public void AsymmetricPads() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 2, StrideW = 2, StrideH = 2, PadLeft = 1, PadTop = 0, PadRight = 2, PadBottom = 1, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 540);

    [Fact]
    public void OutputPadding() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 2, StrideW = 2, StrideH = 2, Pad = 1, OutputPadRight = 1, OutputPadBottom = 0, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 550);

    /// <summary>ncnn reads output_pad_bottom (19) with output_pad_right (18) as its default, so 18=1 alone pads both.</summary>
    [Fact]
    public void OutputPadRightAlonePadsTheBottomToo() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 2, StrideW = 2, StrideH = 2, Pad = 1, OutputPadRight = 1, OutputPadBottom = 1, WriteOutputPadBottom = false, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 555);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void FusedActivation(int activation) =>
        ConvolutionLayerCheck.Run("Deconvolution",
            new() { Outputs = 3, KernelW = 4, KernelH = 4, StrideW = 2, StrideH = 2, Pad = 1, Bias = true, Activation = activation, ActivationArgs = activation == 3 ? [-0.3f, 0.4f] : [] },
            inputs: 2, height: 5, width: 6, seed: 560 + activation);

    [Fact]
    public void Fp16Weights() =>
        ConvolutionLayerCheck.Run("Deconvolution", new() { Outputs = 3, KernelW = 4, KernelH = 4, StrideW = 2, StrideH = 2, Pad = 1, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 570, fp16: true);

    [Fact]
    public void DepthWiseGroupEqualsChannels() =>
        ConvolutionLayerCheck.Run("DeconvolutionDepthWise", new() { Outputs = 3, Group = 3, KernelW = 4, KernelH = 4, StrideW = 2, StrideH = 2, Pad = 1, Bias = true },
            inputs: 3, height: 5, width: 6, seed: 580);

    [Fact]
    public void DepthWiseTwoGroups() =>
        ConvolutionLayerCheck.Run("DeconvolutionDepthWise", new() { Outputs = 6, Group = 2, StrideW = 2, StrideH = 2, Pad = 1, Bias = true, Activation = 1 },
            inputs: 4, height: 5, width: 6, seed: 590);

    [Fact]
    public void DepthWiseTwoGroupsWithFp16Weights() =>
        ConvolutionLayerCheck.Run("DeconvolutionDepthWise", new() { Outputs = 2, Group = 2, KernelW = 3, KernelH = 2, PadLeft = 1, PadRight = 0, PadTop = 0, PadBottom = 1 },
            inputs: 6, height: 6, width: 5, seed: 595, fp16: true);
}
