using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>ncnn Convolution: kernel sizes, bias, stride, dilation, padding modes, fused activations, weight storage.</summary>
public class ConvolutionLayerTests
{
    // Inputs and outputs differ in count and images are not square, so a transposed weight layout or
    // swapped height/width cannot pass unnoticed.

    [Fact]
    public void Kernel3x3WithBias() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 5, Pad = 1, Bias = true }, inputs: 3, height: 6, width: 7, seed: 100);

    [Fact]
    public void Kernel3x3WithoutBias() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 4, Pad = 1 }, inputs: 2, height: 7, width: 5, seed: 110);

    [Fact]
    public void Kernel3x3WithoutPadding() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 2, Bias = true }, inputs: 3, height: 6, width: 8, seed: 120);

    [Fact]
    public void Kernel1x1WithBias() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 6, KernelW = 1, KernelH = 1, Bias = true }, inputs: 4, height: 5, width: 6, seed: 130);

    [Fact]
    public void Kernel1x1WithoutBias() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 3, KernelW = 1, KernelH = 1 }, inputs: 5, height: 6, width: 5, seed: 140);

    [Fact]
    public void NonSquareKernel() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 3, KernelW = 3, KernelH = 2, PadLeft = 1, PadRight = 1, PadTop = 1, PadBottom = 0, Bias = true },
            inputs: 2, height: 6, width: 7, seed: 150);

    [Theory]
    [InlineData(2, 2, 7, 8)]
    [InlineData(2, 2, 6, 9)]
    [InlineData(2, 1, 6, 7)]
    [InlineData(1, 3, 8, 5)]
    public void Stride(int strideW, int strideH, int height, int width) =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 4, Pad = 1, StrideW = strideW, StrideH = strideH, Bias = true },
            inputs: 3, height, width, seed: 160 + strideW * 10 + strideH);

    [Theory]
    [InlineData(2, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 3)]
    public void Dilation(int dilationW, int dilationH) =>
        ConvolutionLayerCheck.Run("Convolution",
            new() { Outputs = 3, DilationW = dilationW, DilationH = dilationH, PadLeft = dilationW, PadRight = dilationW, PadTop = dilationH, PadBottom = dilationH, Bias = true },
            inputs: 2, height: 8, width: 9, seed: 200 + dilationW * 10 + dilationH);

    [Fact]
    public void AsymmetricPads() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 3, PadLeft = 1, PadTop = 0, PadRight = 2, PadBottom = 1, Bias = true },
            inputs: 2, height: 6, width: 7, seed: 240);

    [Fact]
    public void AsymmetricPadsWithStride2() =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 4, PadLeft = 0, PadTop = 2, PadRight = 1, PadBottom = 0, StrideW = 2, StrideH = 2 },
            inputs: 3, height: 7, width: 8, seed: 250);

    [Theory]
    [InlineData(3, 1, 6, 7)]
    [InlineData(3, 2, 7, 8)]
    [InlineData(3, 2, 8, 7)]
    [InlineData(4, 1, 5, 6)]
    [InlineData(5, 3, 8, 9)]
    public void SameUpperPadding(int kernel, int stride, int height, int width) =>
        ConvolutionLayerCheck.Run("Convolution",
            new() { Outputs = 3, KernelW = kernel, KernelH = kernel, StrideW = stride, StrideH = stride, Pad = ConvolutionSettings.SameUpper, Bias = true },
            inputs: 2, height, width, seed: 260 + kernel * 10 + stride);

    [Theory]
    [InlineData(1, new float[0])]
    [InlineData(2, new[] { 0.2f })]
    [InlineData(3, new[] { -0.4f, 0.5f })]
    [InlineData(4, new float[0])]
    public void FusedActivation(int activation, float[] args) =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 4, Pad = 1, Bias = true, Activation = activation, ActivationArgs = args },
            inputs: 3, height: 6, width: 7, seed: 300 + activation);

    [Theory]
    [InlineData(3, true)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(1, false)]
    public void Fp16Weights(int kernel, bool bias) =>
        ConvolutionLayerCheck.Run("Convolution", new() { Outputs = 4, KernelW = kernel, KernelH = kernel, Pad = kernel / 2, Bias = bias },
            inputs: 3, height: 6, width: 7, seed: 320 + kernel, fp16: true);

    /// <summary>
    /// 3x3x1x1 = 9 (and 3x3x3x3 = 81) fp16 weights take 18 (162) bytes plus 2 of padding; reading past or
    /// short of the padding would shift the bias and every later layer's weights.
    /// </summary>
    [Fact]
    public void Fp16WeightsWithAnOddCountArePaddedToFourBytes()
    {
        var first = new ConvolutionSettings { Outputs = 3, KernelW = 1, KernelH = 1, Bias = true };
        var second = new ConvolutionSettings { Outputs = 3, Pad = 1, Bias = true };
        var input = RandomValues.Blob(3, 5, 6, seed: 340);
        var w1 = RandomValues.RoundedToHalf(RandomValues.Floats(first.WeightCount(3), seed: 341));
        var b1 = RandomValues.Floats(3, seed: 342);
        var w2 = RandomValues.RoundedToHalf(RandomValues.Floats(second.WeightCount(3), seed: 343));
        var b2 = RandomValues.Floats(3, seed: 344);
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv1", ["data"], ["c1"], first.ToNcnnParams(3, grouped: false)).Fp16Weights(w1).RawFloats(b1)
            .Layer("Convolution", "conv2", ["c1"], ["out"], second.ToNcnnParams(3, grouped: false)).Fp16Weights(w2).RawFloats(b2);
        // tag + 9 halfs (18 bytes, padded to 20) + 3 biases, then tag + 81 halfs (162, padded to 164) + 3 biases.
        Assert.Equal(4 + 20 + 12 + 4 + 164 + 12, network.BinBytes.Length);

        var expected = ReferenceConvolution.Compute(ReferenceConvolution.Compute(input, w1, b1, first), w2, b2, second);
        BlobAssert.Close(expected, ConvertedNetwork.Run(network, input));
    }

    [Fact]
    public void TwoConvolutionsMixingFp32AndFp16Weights()
    {
        var first = new ConvolutionSettings { Outputs = 5, Pad = 1, Bias = true, Activation = 1 };
        var second = new ConvolutionSettings { Outputs = 2, KernelW = 1, KernelH = 1, Bias = true };
        var input = RandomValues.Blob(3, 6, 5, seed: 350);
        var w1 = RandomValues.Floats(first.WeightCount(3), seed: 351);
        var b1 = RandomValues.Floats(5, seed: 352);
        var w2 = RandomValues.RoundedToHalf(RandomValues.Floats(second.WeightCount(5), seed: 353));
        var b2 = RandomValues.Floats(2, seed: 354);
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv1", ["data"], ["c1"], first.ToNcnnParams(3, grouped: false)).Fp32Weights(w1).RawFloats(b1)
            .Layer("Convolution", "conv2", ["c1"], ["out"], second.ToNcnnParams(5, grouped: false)).Fp16Weights(w2).RawFloats(b2);

        var expected = ReferenceConvolution.Compute(ReferenceConvolution.Compute(input, w1, b1, first), w2, b2, second);
        BlobAssert.Close(expected, ConvertedNetwork.Run(network, input));
    }
}
