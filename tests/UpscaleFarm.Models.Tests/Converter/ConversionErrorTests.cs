using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;
using UpscaleFarm.Testing;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>What the converter refuses, and that its message points at the culprit.</summary>
public class ConversionErrorTests
{
    private static readonly ConvolutionSettings Conv = new() { Outputs = 4, Pad = 1, Bias = true };

    private static ModelConversionException Refused(NcnnModelWriter network) =>
        Assert.Throws<ModelConversionException>(() => ConvertedNetwork.Convert(network));

    private static void AssertNamesLayer(ModelConversionException e, string name, string type)
    {
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains(type, e.Message);
    }

    [Fact]
    public void UnknownLayerType()
    {
        var network = new NcnnModelWriter().Input(channels: 3).Layer("Softmax", "probabilities", ["data"], ["out"], "0=0");
        AssertNamesLayer(Refused(network), "probabilities", "Softmax");
    }

    [Fact]
    public void Int8Weights()
    {
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv_q", ["data"], ["out"], Conv.ToNcnnParams(3, grouped: false))
            .WriteUInt32(NcnnModelWriter.Int8Tag).RawBytes(new byte[Conv.WeightCount(3)]).RawFloats(new float[4]);
        var e = Refused(network);
        AssertNamesLayer(e, "conv_q", "Convolution");
        Assert.Contains("int8", e.Message);
    }

    [Fact]
    public void BinTooShortForTheWeights()
    {
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv_short", ["data"], ["out"], Conv.ToNcnnParams(3, grouped: false))
            .Fp32Weights(new float[Conv.WeightCount(3) - 1]);
        AssertNamesLayer(Refused(network), "conv_short", "Convolution");
    }

    /// <summary>A truncated file names the first layer whose data is missing, not just the first layer.</summary>
    [Fact]
    public void BinTooShortForALaterLayer()
    {
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv", ["data"], ["c"], Conv.ToNcnnParams(3, grouped: false))
            .Fp32Weights(new float[Conv.WeightCount(3)]).RawFloats(new float[4])
            .Layer("PReLU", "prelu_short", ["c"], ["out"], "0=4")
            .RawFloats(new float[3]);
        AssertNamesLayer(Refused(network), "prelu_short", "PReLU");
    }

    [Fact]
    public void BinWithBytesLeftOver()
    {
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv", ["data"], ["out"], Conv.ToNcnnParams(3, grouped: false))
            .Fp32Weights(new float[Conv.WeightCount(3)]).RawFloats(new float[4])
            .RawBytes([1, 2, 3, 4]);
        var e = Refused(network);
        // Left-over bytes are no single layer's fault: the message names the files and the count.
        Assert.Contains("4 bytes left", e.Message);
        Assert.Contains("model.bin", e.Message);
        Assert.Contains("model.param", e.Message);
    }

    [Fact]
    public void ParamWithoutMagicFirstLine()
    {
        using var folder = new TempDirectory();
        var network = new NcnnModelWriter().Input(channels: 3).Layer("ReLU", "relu", ["data"], ["out"]);
        var (param, bin) = network.Save(folder.Path);
        File.WriteAllLines(param, File.ReadAllLines(param).Skip(1));
        var e = Assert.Throws<ModelConversionException>(() => Ncnn.NcnnToOnnxConverter.Convert(param, bin));
        Assert.Contains("model.param", e.Message);
        Assert.Contains("7767517", e.Message);
    }

    [Theory]
    [InlineData("Interp", "0=2 3=10 4=12")]
    [InlineData("Interp", "0=4 1=2.000000e+00 2=2.000000e+00")]
    [InlineData("PixelShuffle", "0=2 1=2")]
    [InlineData("BinaryOp", "0=10 1=1 2=1.000000e+00")]
    [InlineData("Eltwise", "0=3")]
    public void UnsupportedParameters(string type, string parameters)
    {
        var network = new NcnnModelWriter().Input(channels: 4).Layer(type, "odd_layer", ["data"], ["out"], parameters);
        AssertNamesLayer(Refused(network), "odd_layer", type);
    }

    [Fact]
    public void UnsupportedFusedActivation()
    {
        var conv = Conv with { Activation = 7 };
        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv_act", ["data"], ["out"], conv.ToNcnnParams(3, grouped: false))
            .Fp32Weights(new float[conv.WeightCount(3)]).RawFloats(new float[4]);
        AssertNamesLayer(Refused(network), "conv_act", "Convolution");
    }
}
