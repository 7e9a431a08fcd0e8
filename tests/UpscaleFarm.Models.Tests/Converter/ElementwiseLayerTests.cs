using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>
/// Eltwise and BinaryOp. The operands differ (the input, a sigmoid of a 1x1 convolution of it, a tanh
/// of it), so swapped operands of sub, div or pow change the result. The input is kept in [0.25, 2]
/// and the sigmoid is in (0, 1): division and powers stay finite.
/// </summary>
public class ElementwiseLayerTests
{
    private const int Channels = 3;

    /// <summary>The network up to its operands: a = input, b = sigmoid(conv1x1(input)) and, with three, c = tanh(input).</summary>
    private sealed record Operands(NcnnModelWriter Network, Blob A, Blob B, Blob C);

    private static Operands MakeOperands(int seed, int count)
    {
        var conv = new ConvolutionSettings { Outputs = Channels, KernelW = 1, KernelH = 1, Bias = true };
        var input = RandomValues.Blob(Channels, 5, 6, seed, min: 0.25f, max: 2f);
        var weight = RandomValues.Floats(conv.WeightCount(Channels), seed + 1);
        var bias = RandomValues.Floats(Channels, seed + 2);
        // Every operand must be read: the converter takes the one blob nobody reads as the network's output.
        var network = new NcnnModelWriter().Input()
            .Layer("Split", "split", ["data"], count == 3 ? ["a", "s1", "s2"] : ["a", "s1"])
            .Layer("Convolution", "conv", ["s1"], ["conv"], conv.ToNcnnParams(Channels, grouped: false)).Fp32Weights(weight).RawFloats(bias)
            .Layer("Sigmoid", "sigmoid", ["conv"], ["b"]);
        if (count == 3)
            network.Layer("TanH", "tanh", ["s2"], ["c"]);
        var b = ReferenceConvolution.Compute(input, weight, bias, conv).Map(ReferenceActivation.Sigmoid);
        return new Operands(network, input, b, input.Map(ReferenceActivation.TanH));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void EltwiseOfTwoInputs(int op)
    {
        var o = MakeOperands(700 + op, count: 2);
        o.Network.Layer("Eltwise", "eltwise", ["a", "b"], ["out"], $"0={op}");
        BlobAssert.Close(ReferenceEltwise.Compute(op, [o.A, o.B], []), ConvertedNetwork.Run(o.Network, o.A));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void EltwiseOfThreeInputs(int op)
    {
        var o = MakeOperands(710 + op, count: 3);
        o.Network.Layer("Eltwise", "eltwise", ["a", "b", "c"], ["out"], $"0={op}");
        BlobAssert.Close(ReferenceEltwise.Compute(op, [o.A, o.B, o.C], []), ConvertedNetwork.Run(o.Network, o.A));
    }

    /// <summary>The form RealESRGAN_x4plus uses for its residual scaling: 0.2 * a + 1.0 * b.</summary>
    [Fact]
    public void EltwiseSumWithCoefficients()
    {
        var o = MakeOperands(720, count: 3);
        o.Network.Layer("Eltwise", "eltwise", ["a", "b", "c"], ["out"], "0=1 " + NcnnModelWriter.FloatArray(1, 0.2f, 1f, -1.5f));
        BlobAssert.Close(ReferenceEltwise.Compute(1, [o.A, o.B, o.C], [0.2f, 1f, -1.5f]), ConvertedNetwork.Run(o.Network, o.A));
    }

    /// <summary>ncnn's Eltwise reads op_type with default 0: a line without 0= is a product.</summary>
    [Fact]
    public void EltwiseWithoutOperationIsProduct()
    {
        var o = MakeOperands(725, count: 3);
        o.Network.Layer("Eltwise", "eltwise", ["a", "b", "c"], ["out"]);
        BlobAssert.Close(ReferenceEltwise.Compute(0, [o.A, o.B, o.C], []), ConvertedNetwork.Run(o.Network, o.A));
    }

    [Theory]
    [InlineData(0, 0.7f)]
    [InlineData(1, 0.7f)]
    [InlineData(2, -1.3f)]
    [InlineData(3, 1.7f)]
    [InlineData(4, 1.1f)]
    [InlineData(5, 1.1f)]
    [InlineData(6, 1.5f)]
    [InlineData(7, 0.7f)]
    [InlineData(8, 1.7f)]
    [InlineData(9, 1.5f)]
    public void BinaryOpWithScalar(int op, float scalar)
    {
        var input = RandomValues.Blob(Channels, 5, 6, seed: 730 + op, min: 0.25f, max: 2f);
        var network = new NcnnModelWriter().Input(channels: Channels)
            .Layer("BinaryOp", "binary", ["data"], ["out"], $"0={op} 1=1 2={NcnnModelWriter.Float(scalar)}");
        BlobAssert.Close(ReferenceBinaryOp.WithScalar(op, input, scalar), ConvertedNetwork.Run(network, input));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    public void BinaryOpOfTwoInputs(int op)
    {
        var o = MakeOperands(750 + op, count: 2);
        o.Network.Layer("BinaryOp", "binary", ["a", "b"], ["out"], $"0={op}");
        BlobAssert.Close(ReferenceBinaryOp.Compute(op, o.A, o.B), ConvertedNetwork.Run(o.Network, o.A));
    }
}
