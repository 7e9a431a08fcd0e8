namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>ncnn ConvolutionDepthWise: group = channels (with and without a channel multiplier) and true groups.</summary>
public class DepthWiseConvolutionLayerTests
{
    [Fact]
    public void GroupEqualsChannels() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise", new() { Outputs = 4, Group = 4, Pad = 1, Bias = true, Activation = 1 },
            inputs: 4, height: 6, width: 7, seed: 400);

    [Fact]
    public void GroupEqualsChannelsWithTwoOutputsPerChannel() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise", new() { Outputs = 6, Group = 3, Pad = 1, Bias = true },
            inputs: 3, height: 7, width: 5, seed: 410);

    [Fact]
    public void TwoGroupsOfThreeChannels() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise", new() { Outputs = 4, Group = 2, Pad = 1, StrideW = 2, StrideH = 2, Bias = true },
            inputs: 6, height: 7, width: 8, seed: 420);

    [Fact]
    public void TwoGroupsWithMoreOutputsThanInputs() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise",
            new() { Outputs = 6, Group = 2, KernelW = 3, KernelH = 2, PadLeft = 1, PadRight = 1, PadTop = 0, PadBottom = 1, Activation = 2, ActivationArgs = [0.1f] },
            inputs: 4, height: 6, width: 7, seed: 430);

    [Fact]
    public void GroupedWithFp16Weights() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise", new() { Outputs = 3, Group = 3, Pad = 2, DilationW = 2, DilationH = 2, Bias = true },
            inputs: 3, height: 8, width: 7, seed: 440, fp16: true);

    [Fact]
    public void GroupedWithSameUpperPadding() =>
        ConvolutionLayerCheck.Run("ConvolutionDepthWise", new() { Outputs = 4, Group = 2, Pad = Reference.ConvolutionSettings.SameUpper, StrideW = 2, StrideH = 2 },
            inputs: 4, height: 7, width: 6, seed: 450);
}
