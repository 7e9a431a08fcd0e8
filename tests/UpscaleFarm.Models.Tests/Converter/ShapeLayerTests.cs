using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>Split, Concat and PixelShuffle: layers that copy values without arithmetic.</summary>
public class ShapeLayerTests
{
    /// <summary>Split's outputs are the input under other names; each consumer must see the input itself.</summary>
    [Fact]
    public void SplitOutputsAliasTheInput()
    {
        var input = RandomValues.Blob(2, 5, 6, seed: 800, min: -2f, max: 2f);
        var network = new NcnnModelWriter().Input(channels: 2)
            .Layer("Split", "split", ["data"], ["s0", "s1", "s2"])
            .Layer("ReLU", "relu", ["s0"], ["r"])
            .Layer("Sigmoid", "sigmoid", ["s1"], ["g"])
            .Layer("Concat", "concat", ["r", "g", "s2"], ["out"], "0=0");
        var expected = ReferenceConcat.Compute(0, [input.Map(x => ReferenceActivation.ReLU(x)), input.Map(ReferenceActivation.Sigmoid), input]);
        BlobAssert.Close(expected, ConvertedNetwork.Run(network, input));
    }

    /// <summary>Concatenated channels of different counts, then a convolution that must see them in order.</summary>
    [Fact]
    public void ConcatAlongChannelsFeedsTheNextConvolution()
    {
        var convA = new ConvolutionSettings { Outputs = 2, Pad = 1, Bias = true };
        var convB = new ConvolutionSettings { Outputs = 3, KernelW = 1, KernelH = 1, Bias = true };
        var convC = new ConvolutionSettings { Outputs = 4, KernelW = 1, KernelH = 1 };
        var input = RandomValues.Blob(3, 6, 5, seed: 810);
        var (wa, ba) = (RandomValues.Floats(convA.WeightCount(3), 811), RandomValues.Floats(2, 812));
        var (wb, bb) = (RandomValues.Floats(convB.WeightCount(3), 813), RandomValues.Floats(3, 814));
        var wc = RandomValues.Floats(convC.WeightCount(5), 815);
        var network = new NcnnModelWriter().Input()
            .Layer("Split", "split", ["data"], ["s0", "s1"])
            .Layer("Convolution", "conv_a", ["s0"], ["a"], convA.ToNcnnParams(3, grouped: false)).Fp32Weights(wa).RawFloats(ba)
            .Layer("Convolution", "conv_b", ["s1"], ["b"], convB.ToNcnnParams(3, grouped: false)).Fp32Weights(wb).RawFloats(bb)
            .Layer("Concat", "concat", ["a", "b"], ["ab"], "0=0")
            .Layer("Convolution", "conv_c", ["ab"], ["out"], convC.ToNcnnParams(5, grouped: false)).Fp32Weights(wc);

        var concat = ReferenceConcat.Compute(0, [ReferenceConvolution.Compute(input, wa, ba, convA), ReferenceConvolution.Compute(input, wb, bb, convB)]);
        BlobAssert.Close(ReferenceConvolution.Compute(concat, wc, null, convC), ConvertedNetwork.Run(network, input));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void ConcatAlongAxis(int axis)
    {
        var input = RandomValues.Blob(2, 5, 6, seed: 820 + axis, min: -2f, max: 2f);
        var network = new NcnnModelWriter().Input(channels: 2)
            .Layer("Split", "split", ["data"], ["s0", "s1"])
            .Layer("TanH", "tanh", ["s1"], ["t"])
            .Layer("Concat", "concat", ["s0", "t"], ["out"], $"0={axis}");
        BlobAssert.Close(ReferenceConcat.Compute(axis, [input, input.Map(ReferenceActivation.TanH)]), ConvertedNetwork.Run(network, input));
    }

    [Theory]
    [InlineData(2, 0, 2)]
    [InlineData(3, 0, 2)]
    [InlineData(2, 0, 3)]
    [InlineData(2, 1, 3)]
    [InlineData(3, 1, 2)]
    public void PixelShuffle(int factor, int mode, int outputChannels)
    {
        var channels = outputChannels * factor * factor;
        var input = RandomValues.Blob(channels, 4, 5, seed: 840 + factor * 10 + mode);
        var parameters = mode == 0 ? $"0={factor}" : $"0={factor} 1={mode}";
        var network = new NcnnModelWriter().Input(channels: channels).Layer("PixelShuffle", "shuffle", ["data"], ["out"], parameters);
        BlobAssert.Close(ReferencePixelShuffle.Compute(input, factor, mode), ConvertedNetwork.Run(network, input));
    }
}
