using UpscaleFarm.Models.Tests.Reference;
using UpscaleFarm.Models.Tests.Support;

namespace UpscaleFarm.Models.Tests.Converter;

/// <summary>
/// One convolution-family layer on a random input, converted and run, against the reference.
/// Inputs, weights and bias come from separate seeds so no two of them are alike.
/// </summary>
public static class ConvolutionLayerCheck
{
    public static void Run(string type, ConvolutionSettings settings, int inputs, int height, int width, int seed, bool fp16 = false)
    {
        var input = RandomValues.Blob(inputs, height, width, seed);
        var weight = RandomValues.Floats(settings.WeightCount(inputs), seed + 1);
        if (fp16)
            weight = RandomValues.RoundedToHalf(weight);
        var bias = settings.Bias ? RandomValues.Floats(settings.Outputs, seed + 2) : null;

        var network = new NcnnModelWriter()
            .Input()
            .Layer(type, "layer", ["data"], ["out"], settings.ToNcnnParams(inputs, grouped: type.EndsWith("DepthWise", StringComparison.Ordinal)))
            .Weights(weight, fp16);
        if (bias is not null)
            network.RawFloats(bias);

        var expected = type.StartsWith("Deconvolution", StringComparison.Ordinal)
            ? ReferenceDeconvolution.Compute(input, weight, bias, settings)
            : ReferenceConvolution.Compute(input, weight, bias, settings);
        BlobAssert.Close(expected, ConvertedNetwork.Run(network, input));
    }
}
