using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>Small networks shaped like the real models, checked end to end against the chained references.</summary>
public class NetworkChainTests
{
    /// <summary>
    /// SRVGGNetCompact (realesr-general-x4v3 / realesrgan-x4fast) in miniature: conv + PReLU blocks, a
    /// conv to 3*r*r channels, PixelShuffle, plus the nearest-upscaled input; fp16 weights as shipped.
    /// </summary>
    [Fact]
    public void SrvggNetCompactLike()
    {
        const int features = 6, scale = 2;
        var input = RandomValues.Blob(3, 6, 7, seed: 1000);
        var network = new NcnnModelWriter().Input()
            .Layer("Split", "split_input", ["data"], ["in_skip", "in_body"]);
        var x = input;
        var blob = "in_body";
        var channels = 3;
        for (var i = 0; i < 3; i++)
        {
            var conv = new ConvolutionSettings { Outputs = features, Pad = 1, Bias = true };
            var weight = RandomValues.RoundedToHalf(RandomValues.Floats(conv.WeightCount(channels), seed: 1010 + i, min: -0.5f, max: 0.5f));
            var bias = RandomValues.Floats(features, seed: 1020 + i, min: -0.1f, max: 0.1f);
            var slopes = RandomValues.Floats(features, seed: 1030 + i, min: 0f, max: 0.5f);
            network.Layer("Convolution", $"conv{i}", [blob], [$"c{i}"], conv.ToNcnnParams(channels, grouped: false)).Fp16Weights(weight).RawFloats(bias)
                .Layer("PReLU", $"prelu{i}", [$"c{i}"], [$"p{i}"], $"0={features}").RawFloats(slopes);
            x = ReferenceActivation.PReLU(ReferenceConvolution.Compute(x, weight, bias, conv), slopes);
            (blob, channels) = ($"p{i}", features);
        }
        var last = new ConvolutionSettings { Outputs = 3 * scale * scale, Pad = 1, Bias = true };
        var lastWeight = RandomValues.RoundedToHalf(RandomValues.Floats(last.WeightCount(features), seed: 1040, min: -0.5f, max: 0.5f));
        var lastBias = RandomValues.Floats(last.Outputs, seed: 1041, min: -0.1f, max: 0.1f);
        network.Layer("Convolution", "conv_last", [blob], ["c_last"], last.ToNcnnParams(features, grouped: false)).Fp16Weights(lastWeight).RawFloats(lastBias)
            .Layer("PixelShuffle", "shuffle", ["c_last"], ["up"], $"0={scale}")
            .Layer("Interp", "skip", ["in_skip"], ["base"], $"0=1 1={NcnnModelWriter.Float(scale)} 2={NcnnModelWriter.Float(scale)}")
            .Layer("BinaryOp", "add", ["up", "base"], ["out"], "0=0");

        var up = ReferencePixelShuffle.Compute(ReferenceConvolution.Compute(x, lastWeight, lastBias, last), scale, mode: 0);
        var expected = ReferenceBinaryOp.Compute(0, up, ReferenceInterp.Nearest(input, scale, scale));
        BlobAssert.Close(expected, ConvertedNetwork.Run(network, input));
    }

    /// <summary>
    /// RRDBNet (RealESRGAN_x4plus) in miniature: a dense block (conv with fused leaky ReLU, concat with
    /// its input, conv), the 0.2-scaled residual sum, a nearest 2x upsample and the final convolutions.
    /// </summary>
    [Fact]
    public void RrdbNetLike()
    {
        var input = RandomValues.Blob(3, 5, 6, seed: 1100);
        var first = new ConvolutionSettings { Outputs = 4, Pad = 1, Bias = true };
        var dense = new ConvolutionSettings { Outputs = 3, Pad = 1, Bias = true, Activation = 2, ActivationArgs = [0.2f] };
        var fuse = new ConvolutionSettings { Outputs = 4, Pad = 1, Bias = true };
        var upConv = new ConvolutionSettings { Outputs = 4, Pad = 1, Bias = true, Activation = 2, ActivationArgs = [0.2f] };
        var lastConv = new ConvolutionSettings { Outputs = 3, Pad = 1, Bias = true };
        float[] W(ConvolutionSettings s, int inputs, int seed) => RandomValues.Floats(s.WeightCount(inputs), seed, min: -0.5f, max: 0.5f);
        float[] B(ConvolutionSettings s, int seed) => RandomValues.Floats(s.Outputs, seed, min: -0.1f, max: 0.1f);
        var (w1, b1) = (W(first, 3, 1101), B(first, 1102));
        var (w2, b2) = (W(dense, 4, 1103), B(dense, 1104));
        var (w3, b3) = (W(fuse, 7, 1105), B(fuse, 1106));
        var (w4, b4) = (W(upConv, 4, 1107), B(upConv, 1108));
        var (w5, b5) = (W(lastConv, 4, 1109), B(lastConv, 1110));

        var network = new NcnnModelWriter().Input()
            .Layer("Convolution", "conv_first", ["data"], ["fea"], first.ToNcnnParams(3, grouped: false)).Fp32Weights(w1).RawFloats(b1)
            .Layer("Split", "split_fea", ["fea"], ["fea0", "fea1", "fea2"])
            .Layer("Convolution", "conv1", ["fea0"], ["x1"], dense.ToNcnnParams(4, grouped: false)).Fp16Weights(w2).RawFloats(b2)
            .Layer("Concat", "cat1", ["fea1", "x1"], ["c1"], "0=0")
            .Layer("Convolution", "conv2", ["c1"], ["x2"], fuse.ToNcnnParams(7, grouped: false)).Fp32Weights(w3).RawFloats(b3)
            .Layer("Eltwise", "residual", ["x2", "fea2"], ["body"], "0=1 " + NcnnModelWriter.FloatArray(1, 0.2f, 1f))
            .Layer("Interp", "upsample", ["body"], ["up"], $"0=1 1={NcnnModelWriter.Float(2f)} 2={NcnnModelWriter.Float(2f)}")
            .Layer("Convolution", "conv_up", ["up"], ["u"], upConv.ToNcnnParams(4, grouped: false)).Fp32Weights(w4).RawFloats(b4)
            .Layer("Convolution", "conv_last", ["u"], ["out"], lastConv.ToNcnnParams(4, grouped: false)).Fp32Weights(w5).RawFloats(b5);

        // fp16 storage of conv1's weights: the reference uses the values the file holds.
        w2 = RandomValues.RoundedToHalf(w2);
        var fea = ReferenceConvolution.Compute(input, w1, b1, first);
        var x1 = ReferenceConvolution.Compute(fea, w2, b2, dense);
        var x2 = ReferenceConvolution.Compute(ReferenceConcat.Compute(0, [fea, x1]), w3, b3, fuse);
        var body = ReferenceEltwise.Compute(1, [x2, fea], [0.2f, 1f]);
        var u = ReferenceConvolution.Compute(ReferenceInterp.Nearest(body, 2f, 2f), w4, b4, upConv);
        BlobAssert.Close(ReferenceConvolution.Compute(u, w5, b5, lastConv), ConvertedNetwork.Run(network, input));
    }
}
